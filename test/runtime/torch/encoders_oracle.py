"""Independent float64 numpy oracle of the text encoders sidc_torch/encoders implements, written from the
architectures (not from that code): CLIP text (causal pre-LN transformer, quick_gelu or erf gelu, final
LayerNorm, pooling at the EOS token, text projection) and the T5 v1.1 encoder (RMSNorm without mean or bias,
unscaled attention plus the bucketed relative-position bias of block 0 shared by every block, gated gelu_new
feed-forward), and Gemma-2 (Gemma2Model: embedding times sqrt(width), RMSNorm scaling by 1 + weight, grouped-query
attention with rotary embeddings, query_pre_attn_scalar, soft-capped logits, causal + padding mask, a sliding window
on even layers, pre and post norms around attention and the GeGLU feed-forward, final norm). Reads the safetensors
with its own parser.
  python3 encoders_oracle.py FLUX_DIR SD3_DIR FLUX_TABLE SD3_TABLE  ->  JSON {check: relative max error}
  python3 encoders_oracle.py gemma SANA_DIR SANA_TABLE [NO_INSTRUCTION_TABLE]  ->  JSON {check: relative max error}
(gemma: also the error of sidc against the oracle with one part broken - no soft-cap, weight for 1 + weight, no
window, head_dim for query_pre_attn_scalar -, which must be large: the comparison sees each of them)"""
import json
import math
import os
import struct
import sys

import numpy as np

ERF = np.vectorize(math.erf)


def read_safetensors(path):
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        raw = data[a:b]
        if info['dtype'] == 'BF16':
            arr = (np.frombuffer(raw, '<u2').astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, {'F32': '<f4', 'F16': '<f2'}[info['dtype']])
        out[name] = arr.astype(np.float64).reshape(info['shape'])
    return out, header.get('__metadata__', {})


def read_folder(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith('.safetensors'))
    w = {}
    for f in files:
        w.update(read_safetensors(os.path.join(folder, f))[0])
    with open(os.path.join(folder, 'config.json')) as f:
        return json.load(f), w


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def softmax(s):
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)


def clip_oracle(folder, ids):
    """(hidden_states[-2], pooled, text_embeds or None)."""
    cfg, w = read_folder(folder)
    d, heads, eps = cfg['hidden_size'], cfg['num_attention_heads'], cfg['layer_norm_eps']
    act = {'quick_gelu': lambda x: x / (1 + np.exp(-1.702 * x)), 'gelu': lambda x: 0.5 * x * (1 + ERF(x / math.sqrt(2)))}[cfg['hidden_act']]
    n, l = ids.shape
    x = w['text_model.embeddings.token_embedding.weight'][ids] + w['text_model.embeddings.position_embedding.weight'][:l]
    hs = [x]
    future = np.triu(np.ones((l, l), bool), 1)
    hd = d // heads
    for i in range(cfg['num_hidden_layers']):
        p = lambda k: w[f'text_model.encoder.layers.{i}.{k}']  # noqa: E731
        lin = lambda t, k: t @ p(k + '.weight').T + p(k + '.bias')  # noqa: E731
        h = layer_norm(x, p('layer_norm1.weight'), p('layer_norm1.bias'), eps)
        heads_of = lambda t: t.reshape(n, l, heads, hd).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = heads_of(lin(h, 'self_attn.q_proj')), heads_of(lin(h, 'self_attn.k_proj')), heads_of(lin(h, 'self_attn.v_proj'))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
        s[..., future] = -np.inf  # a token sees itself and the tokens before it
        o = (softmax(s) @ v).transpose(0, 2, 1, 3).reshape(n, l, d)
        x = x + lin(o, 'self_attn.out_proj')
        x = x + lin(act(lin(layer_norm(x, p('layer_norm2.weight'), p('layer_norm2.bias'), eps), 'mlp.fc1')), 'mlp.fc2')
        hs.append(x)
    last = layer_norm(x, w['text_model.final_layer_norm.weight'], w['text_model.final_layer_norm.bias'], eps)
    eos_id = cfg['eos_token_id']
    pos = [int(np.argmax(r)) if eos_id == 2 else int(np.nonzero(r == eos_id)[0][0]) for r in ids]
    pooled = last[np.arange(n), pos]
    proj = w.get('text_projection.weight')
    return hs[-2], pooled, None if proj is None else pooled @ proj.T


def t5_bucket(rel, num_buckets, max_distance):
    """Bidirectional: keys after the query use the upper half; |rel| < max_exact exact, then log-spaced."""
    half = num_buckets // 2
    base = half if rel > 0 else 0
    r = abs(rel)
    max_exact = half // 2
    if r < max_exact:
        return base + r
    big = max_exact + int(math.log(r / max_exact) / math.log(max_distance / max_exact) * (half - max_exact))
    return base + min(big, half - 1)


def t5_oracle(folder, ids):
    cfg, w = read_folder(folder)
    heads, d_kv, eps = cfg['num_heads'], cfg['d_kv'], cfg['layer_norm_epsilon']
    rms = lambda x, g: x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g  # noqa: E731
    gelu_new = lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))  # noqa: E731
    n, l = ids.shape
    table = w['encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight']
    buckets = np.array([[t5_bucket(k - q, cfg['relative_attention_num_buckets'], cfg['relative_attention_max_distance']) for k in range(l)] for q in range(l)])
    bias = table[buckets].transpose(2, 0, 1)[None]  # [1, heads, q, k]
    x = w['shared.weight'][ids]
    for i in range(cfg['num_layers']):
        p = lambda k: w[f'encoder.block.{i}.layer.{k}.weight']  # noqa: E731
        h = rms(x, p('0.layer_norm'))
        heads_of = lambda t: t.reshape(n, l, heads, d_kv).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = (heads_of(h @ p(f'0.SelfAttention.{m}').T) for m in 'qkv')
        o = (softmax(q @ k.transpose(0, 1, 3, 2) + bias) @ v).transpose(0, 2, 1, 3).reshape(n, l, heads * d_kv)
        x = x + o @ p('0.SelfAttention.o').T
        h = rms(x, p('1.layer_norm'))
        x = x + (gelu_new(h @ p('1.DenseReluDense.wi_0').T) * (h @ p('1.DenseReluDense.wi_1').T)) @ p('1.DenseReluDense.wo').T
    return rms(x, w['encoder.final_layer_norm.weight'])


def gemma2_oracle(folder, ids, mask, broken=None):
    """last_hidden_state of Gemma2Model(ids, attention_mask=mask); broken names one part to get wrong on purpose."""
    cfg, w = read_folder(folder)
    w = {k[6:] if k.startswith('model.') else k: v for k, v in w.items()}
    d, nh, nkv, hd = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['head_dim']
    eps, theta, cap, win = cfg['rms_norm_eps'], cfg['rope_theta'], cfg['attn_logit_softcapping'], cfg['sliding_window']
    scalar = hd if broken == 'query_pre_attn_scalar' else cfg['query_pre_attn_scalar']

    def rms(x, g):
        scale = g if broken == 'one_plus_weight' else 1.0 + g
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * scale

    gelu_tanh = lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))  # noqa: E731
    n, l = ids.shape
    x = w['embed_tokens.weight'][ids] * math.sqrt(d)
    # rotary: dimension pairs (i, i + hd/2) rotated by position * theta^(-2i/hd)
    freq = theta ** (-np.arange(0, hd, 2) / hd)
    ang = np.arange(l)[:, None] * freq[None, :]
    cos, sin = np.cos(ang), np.sin(ang)

    def rope(t):  # [n, heads, l, hd]
        a, b = t[..., :hd // 2], t[..., hd // 2:]
        return np.concatenate([a * cos - b * sin, b * cos + a * sin], -1)

    qi, ki = np.arange(l)[:, None], np.arange(l)[None, :]
    see = (ki <= qi)[None] & (mask[:, None, :] > 0)  # [n, q, k]
    for i in range(cfg['num_hidden_layers']):
        p = lambda k: w[f'layers.{i}.{k}.weight']  # noqa: E731
        sliding = i % 2 == 0 and broken != 'sliding_window'
        allowed = see & (qi - ki < win)[None] if sliding else see
        h = rms(x, p('input_layernorm'))
        q = rope((h @ p('self_attn.q_proj').T).reshape(n, l, nh, hd).transpose(0, 2, 1, 3))
        k = rope((h @ p('self_attn.k_proj').T).reshape(n, l, nkv, hd).transpose(0, 2, 1, 3))
        v = (h @ p('self_attn.v_proj').T).reshape(n, l, nkv, hd).transpose(0, 2, 1, 3)
        k, v = np.repeat(k, nh // nkv, axis=1), np.repeat(v, nh // nkv, axis=1)  # query head j reads kv head j // (nh / nkv)
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(scalar)
        if broken != 'softcap':
            s = cap * np.tanh(s / cap)
        # additive mask as transformers' eager attention: a padded query that sees no key (the window shorter than
        # the padding - not with SANA's real window) attends uniformly; such rows are padding, masked downstream
        s = s + np.where(allowed[:, None], 0.0, float(np.finfo(np.float32).min))
        o = (softmax(s) @ v).transpose(0, 2, 1, 3).reshape(n, l, nh * hd)
        x = x + rms(o @ p('self_attn.o_proj').T, p('post_attention_layernorm'))
        h = rms(x, p('pre_feedforward_layernorm'))
        h = (gelu_tanh(h @ p('mlp.gate_proj').T) * (h @ p('mlp.up_proj').T)) @ p('mlp.down_proj').T
        x = x + rms(h, p('post_feedforward_layernorm'))
    return rms(x, w['norm.weight'])


def gemma_main(root, table, plain_table=None):
    import torch
    from sidc_torch.encoders.gemma2 import Gemma2Text
    from sidc_torch.encoders.gemma_tokenizer import GemmaTokenizer
    from sidc_torch.encoders.pipelines import COMPLEX_HUMAN_INSTRUCTION
    folder = f'{root}/text_encoder'
    cfg = json.load(open(f'{folder}/config.json'))
    out = {}
    rng = np.random.default_rng(1)
    # the model alone on random ids, 3 * sliding_window long, right padding of different lengths
    l = 3 * cfg['sliding_window'] + 2
    ids = rng.integers(0, cfg['vocab_size'], (3, l))
    mask = np.ones((3, l))
    mask[1, l - 4:] = 0
    mask[2, 3:] = 0
    got = Gemma2Text(folder)(torch.tensor(ids), torch.tensor(mask, dtype=torch.float32)).numpy()
    out['gemma2.last_hidden_state'] = err(got, gemma2_oracle(folder, ids, mask))
    for broken in ('softcap', 'one_plus_weight', 'sliding_window', 'query_pre_attn_scalar'):
        out[f'broken.{broken}'] = err(got, gemma2_oracle(folder, ids, mask, broken))
    # the table: row 0 (the empty prompt) as the pipeline's negative prompt - no instruction, max_len tokens -, the
    # others lowercased and stripped, then with the instruction prefixed, max_length = len(encode(instruction)) + max_len - 2, then select_index
    tok = GemmaTokenizer(f'{root}/tokenizer')
    for name, path, instruction in (('table', table, True), ('table_no_instruction', plain_table, False)):
        if path is None:
            continue
        t, meta = read_safetensors(path)
        prompts, max_len = json.loads(meta['prompts']), int(meta['max_sequence_length'])
        chi = '\n'.join(COMPLEX_HUMAN_INSTRUCTION)
        seqs, masks = [], []
        for r, prompt in enumerate(prompts):
            prompt = prompt.lower().strip()  # SanaPipeline._text_preprocessing without caption cleaning
            if instruction and r > 0:
                total = len(tok.encode(chi)) + max_len - 2
                ids_, m_ = tok(chi + prompt, total)
            else:
                ids_, m_ = tok(prompt, max_len)
            ids_, m_ = np.array([ids_]), np.array([m_], np.float64)
            e = gemma2_oracle(folder, ids_, m_)
            select = [0] + list(range(-max_len + 1, 0))
            seqs.append(e[:, select] if instruction and r > 0 else e)
            masks.append(m_[:, select] if instruction and r > 0 else m_)
        out[f'sana.{name}.prompt_embeds'] = err(t['prompt_embeds'], np.concatenate(seqs))
        out[f'sana.{name}.prompt_attention_mask'] = err(t['prompt_attention_mask'], np.concatenate(masks))
    print(json.dumps(out))


def err(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, f'shape {a.shape} vs {b.shape}'
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def main():
    if sys.argv[1] == 'gemma':
        return gemma_main(*sys.argv[2:5])
    flux, sd3, flux_table, sd3_table = sys.argv[1:5]
    import torch
    from sidc_torch.encoders.clip import ClipText
    from sidc_torch.encoders.clip_tokenizer import ClipTokenizer
    from sidc_torch.encoders.t5 import T5Encoder
    from sidc_torch.encoders.t5_tokenizer import T5Tokenizer
    out = {}
    rng = np.random.default_rng(0)
    # the encoders alone on random ids: CLIP with the EOS (largest id) somewhere inside, T5 160 long (log buckets, saturation past 128)
    for name, folder in (('flux.clip_l', f'{flux}/text_encoder'), ('sd3.clip_l', f'{sd3}/text_encoder'), ('sd3.clip_g', f'{sd3}/text_encoder_2')):
        cfg = json.load(open(f'{folder}/config.json'))
        ids = rng.integers(0, cfg['vocab_size'] - 2, (3, 77))
        for r, at in enumerate((5, 40, 76)):
            ids[r, at] = cfg['vocab_size'] - 1
        got = ClipText(folder)(torch.tensor(ids))
        h2, pooled, proj = clip_oracle(folder, ids)
        out[f'{name}.hidden_states[-2]'] = err(got.hidden_states[-2], h2)
        out[f'{name}.pooled'] = err(got.pooled, pooled)
        if proj is not None:
            out[f'{name}.text_embeds'] = err(got.text_embeds, proj)
    for name, folder in (('flux.t5', f'{flux}/text_encoder_2'), ('sd3.t5', f'{sd3}/text_encoder_3')):
        cfg = json.load(open(f'{folder}/config.json'))
        ids = rng.integers(0, cfg['vocab_size'], (2, 160))
        out[f'{name}.last_hidden_state'] = err(T5Encoder(folder)(torch.tensor(ids)), t5_oracle(folder, ids))
    # the tables encode-prompts wrote, rebuilt from the oracle (ids from sidc's tokenizers, tested on their own)
    for fam, root, table in (('flux', flux, flux_table), ('sd3', sd3, sd3_table)):
        t, meta = read_safetensors(table)
        prompts = json.loads(meta['prompts'])
        t5_dir, t5_tok = ('text_encoder_2', 'tokenizer_2') if fam == 'flux' else ('text_encoder_3', 'tokenizer_3')
        l_t5 = int(meta['max_sequence_length'])
        t5_ids = np.array([T5Tokenizer(f'{root}/{t5_tok}')(p, l_t5)[0] for p in prompts])
        t5 = t5_oracle(f'{root}/{t5_dir}', t5_ids)
        ids_l = np.array([ClipTokenizer(f'{root}/tokenizer')(p)[0] for p in prompts])
        h2_l, pooled_l, proj_l = clip_oracle(f'{root}/text_encoder', ids_l)
        if fam == 'flux':
            seq, pooled = t5, pooled_l
        else:
            ids_g = np.array([ClipTokenizer(f'{root}/tokenizer_2')(p)[0] for p in prompts])
            h2_g, _, proj_g = clip_oracle(f'{root}/text_encoder_2', ids_g)
            clip = np.concatenate([h2_l, h2_g], -1)
            clip = np.concatenate([clip, np.zeros(clip.shape[:2] + (t5.shape[-1] - clip.shape[-1],))], -1)
            seq, pooled = np.concatenate([clip, t5], 1), np.concatenate([proj_l, proj_g], -1)
        out[f'{fam}.table.prompt_embeds'] = err(t['prompt_embeds'], seq)
        out[f'{fam}.table.pooled_prompt_embeds'] = err(t['pooled_prompt_embeds'], pooled)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
