// Prompt alignment, GenEval-like: the share of samples whose predicted class (eval classifier) is the
// class their prompt asked for. Also reports a per-class breakdown.
interface Alignment {
  accuracy: number;
  perClass: number[]; // accuracy per prompted class (NaN when a class was never prompted)
  count: number;
}

export function promptAlignment(predicted: ArrayLike<number>, prompted: ArrayLike<number>, classes: number): Alignment {
  if (predicted.length !== prompted.length) throw new Error(`alignment: ${predicted.length} predictions for ${prompted.length} prompts`);
  const hit = new Array<number>(classes).fill(0);
  const tot = new Array<number>(classes).fill(0);
  let ok = 0;
  for (let i = 0; i < predicted.length; i++) {
    const c = prompted[i]!;
    tot[c]!++;
    if (predicted[i] === c) {
      hit[c]!++;
      ok++;
    }
  }
  return { accuracy: ok / Math.max(1, predicted.length), perClass: hit.map((h, c) => (tot[c] ? h / tot[c]! : NaN)), count: predicted.length };
}
