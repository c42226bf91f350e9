"""The text rows of `data.text = encoder` against the table `sidc encode-prompts` wrote for the same prompt file
(encoded-text.test.ts). Usage: encoded_text_check.py FAMILY TEACHER_DIR PROMPTS TABLE OUT.json

For each placement (streamed, resident, cpu) the rows of several condition batches (the null row, repeats, every
row) are compared with the table's rows: the largest absolute difference of prompt_embeds, the mask and
pooled_prompt_embeds, and the table's largest magnitude to scale it. Also: the prompt lists, that a batch asked for
twice is encoded once (the cache), that an autocast region around the call does not change the rows (the encoders
compute in their own dtype), and that a deep copy of a net shares the encoders."""
import copy
import json
import sys

import torch

from sidc_torch.nets.families.encoded_text import EncodedText, in_run_text
from sidc_torch.nets.families.text import read_text_encodings


def diff(a, b):
    return 0.0 if a is None and b is None else float((a - b).abs().max())


def main(family: str, root: str, prompts: str, table_file: str, out: str) -> None:
    table = read_text_encodings(table_file)
    n = len(table.prompts)
    batches = [[0], [1, 2], list(range(n)), [n - 1, 0, 1, n - 1], [2, 2]]
    result = {'rows': n, 'scale': float(table.seq.abs().max())}
    for placement in ('streamed', 'resident', 'cpu'):
        logs = []
        src = in_run_text(root, family, prompts, placement, 'cpu', torch.float32, logs.append)
        worst = {'seq': 0.0, 'mask': 0.0, 'pooled': 0.0}
        for b in batches:
            c = torch.tensor(b)
            got, want = src.rows(c, torch.device('cpu'), torch.float32), table.rows(c, torch.device('cpu'), torch.float32)
            for k, g, w in zip(('seq', 'mask', 'pooled'), got, want):
                worst[k] = max(worst[k], diff(g, w))
        entry = {'type': type(src).__name__, 'same_prompts': src.prompts == table.prompts, 'null_index': src.null_index,
                 'widths': [src.seq_dim, src.pooled_dim], **{f'max_diff_{k}': v for k, v in worst.items()}, 'logs': len(logs)}
        if isinstance(src, EncodedText):
            c = torch.tensor([1, 0])
            before = src.encoded
            first = src.rows(c, torch.device('cpu'), torch.float32)
            src.rows(c, torch.device('cpu'), torch.float32)
            entry['encoded_twice_asked'] = src.encoded - before
            src._cache.clear()  # the autocast call must encode again, not hit the cache
            with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
                under = src.rows(c, torch.device('cpu'), torch.float32)
            entry['autocast_diff'] = max(diff(a, b) for a, b in zip(first, under))
            entry['deepcopy_shares'] = copy.deepcopy(src) is src
        result[placement] = entry
    with open(out, 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main(*sys.argv[1:6])
