"""`python -m sidc_torch run --graph G.json --run-dir DIR [--resume] [--device cpu|cuda] [--verbose]`
(one rank of a multi-process run when RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT are set: distributed.py)
`python -m sidc_torch eval --graph G --run-dir DIR --options JSON` (an image run's `sidc eval` rows as JSON:
image_eval.py), `python -m sidc_torch encode-prompts CHECKPOINT PROMPTS -o DIR` (a text table from the
checkpoint's own text encoders: encoders/), `python -m sidc_torch make-tiny-encoders DIR --family flux|sd3|sana` and
`python -m sidc_torch doctor` (JSON: versions, devices, bf16, distributed backends).
Exit codes: 0 ok, 1 run failed (or stopped early), 2 usage or environment, 130 interrupted (checkpoint
written). User-facing errors are one line on stderr; the traceback only with --verbose."""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback


class UsageError(Exception):
    pass


def _parser():
    p = argparse.ArgumentParser(prog='python -m sidc_torch', description='the PyTorch engine of sidc (docs/engines.md)')
    sub = p.add_subparsers(dest='cmd')
    r = sub.add_parser('run', help='execute an execution graph in a run directory')
    r.add_argument('--graph', required=True)
    r.add_argument('--run-dir', required=True)
    r.add_argument('--resume', action='store_true', help='continue from the run directory (the default when it holds a checkpoint)')
    r.add_argument('--device', default='cpu')
    r.add_argument('--verbose', action='store_true')
    r.add_argument('--stop-after-iterations', type=int, default=None, help='tests: stop as a crash would after N iterations')
    r.add_argument('--threads', type=int, default=None)
    sub.add_parser('doctor', help='report torch, devices, bf16 and distributed backends as JSON')
    e = sub.add_parser('eval', help="`sidc eval` of an image run on torch (image_eval.py): the rows as JSON on stdout")
    e.add_argument('--graph', required=True)
    e.add_argument('--run-dir', required=True)
    e.add_argument('--options', required=True, help='JSON: teacherSteps, studentSteps, cfg, perClass, seed, [student], [npy]')
    e.add_argument('--device', default='cpu')
    e.add_argument('--verbose', action='store_true')
    x = sub.add_parser('export', help='a student as a diffusers model folder (export.py)')
    x.add_argument('--student', required=True, help='RUN_DIR/student.safetensors')
    x.add_argument('--teacher', required=True, help='the diffusers model folder it was distilled from')
    x.add_argument('-o', '--out', required=True)
    x.add_argument('--dtype', default='bf16', help='bf16 | fp16 | fp32')
    x.add_argument('--max-shard-gb', type=float, default=5.0)
    t = sub.add_parser('encode-prompts', help="a text table from a diffusers checkpoint's own text encoders (encoders/encode_prompts.py)")
    t.add_argument('checkpoint', help='the diffusers model folder (text_encoder*/, tokenizer*/)')
    t.add_argument('prompts', help='text file, one prompt per line')
    t.add_argument('-o', '--out', required=True, help='folder for text.safetensors')
    t.add_argument('--family', default=None, help='sd3 | flux | sana (default: from model_index.json)')
    t.add_argument('--max-sequence-length', type=int, default=None, help='T5 tokens (default: 256 for sd3, 512 for flux)')
    t.add_argument('--batch-size', type=int, default=8)
    t.add_argument('--device', default='cpu')
    t.add_argument('--dtype', default='fp32', help='fp32 | bf16 | fp16: compute and storage dtype of the table')
    t.add_argument('--without-t5', action='store_true', help='sd3: zeros in place of T5, as the pipeline with text_encoder_3=None')
    t.add_argument('--no-instruction', action='store_true', help="sana: no complex human instruction (complex_human_instruction=None)")
    t.add_argument('--verbose', action='store_true')
    m = sub.add_parser('make-tiny-encoders', help='tiny random text encoders + tokenizers in a diffusers folder (encoders/tiny.py)')
    m.add_argument('dir')
    m.add_argument('--family', required=True, help='flux | sd3 | sana')
    m.add_argument('--seed', type=int, default=0)
    return p


def doctor() -> dict:
    import torch
    import torch.distributed as dist
    cuda = torch.cuda.is_available()
    devices = ['cpu'] + [f'cuda:{i} {torch.cuda.get_device_name(i)}' for i in range(torch.cuda.device_count())] if cuda else ['cpu']
    try:
        torch.ones(2, dtype=torch.bfloat16) @ torch.ones(2, dtype=torch.bfloat16)
        bf16_cpu = True
    except RuntimeError:
        bf16_cpu = False
    bf16_cuda = bool(cuda and torch.cuda.is_bf16_supported())
    avail = dist.is_available()
    return {'python': sys.executable, 'python_version': sys.version.split()[0], 'torch': torch.__version__, 'cuda': torch.version.cuda if cuda else None,
            'devices': devices, 'bf16': {'cpu': bf16_cpu, 'cuda': bf16_cuda}, 'fp16': {'cpu': False, 'cuda': cuda},
            'distributed': {'gloo': bool(avail and dist.is_gloo_available()), 'nccl': bool(avail and dist.is_nccl_available())},
            'cuda_memory_gb': [torch.cuda.get_device_properties(i).total_memory / 2 ** 30 for i in range(torch.cuda.device_count())] if cuda else [],
            'threads': torch.get_num_threads(), 'sentencepiece': _version_of('sentencepiece')}


def _version_of(module: str):
    """The module's version, or None when it is not installed (doctor: what encode-prompts needs)."""
    try:
        return getattr(__import__(module), '__version__', 'installed')
    except ImportError:
        return None


def _check_device(device: str) -> str:
    import torch
    if device == 'cpu':
        return device
    if device.startswith('cuda'):
        if not torch.cuda.is_available():
            raise UsageError(f'--device {device}: this torch ({torch.__version__}) sees no CUDA device; use --device cpu')
        return device
    raise UsageError(f"unknown --device '{device}': use cpu or cuda[:N]")


def _eval(args) -> int:
    from . import jsjson
    from .graph import GraphError, load_graph
    from .image_eval import EvalError, evaluate_image_run
    from .nets.image_builders import InitError
    try:
        rows = evaluate_image_run(args.run_dir, load_graph(args.graph), json.loads(args.options), _check_device(args.device))
    except (UsageError, GraphError, EvalError, InitError, FileNotFoundError) as e:
        if args.verbose:
            traceback.print_exc()
        sys.stderr.write(f'sidc-torch: eval: {e}\n')
        return 2
    print(jsjson.dumps(rows))
    return 0


def _encoders(args) -> int:
    from .encoders import EncoderError
    try:
        if args.cmd == 'make-tiny-encoders':
            from .encoders.tiny import make_tiny_encoders
            print(make_tiny_encoders(args.dir, args.family, args.seed))
            return 0
        from .encoders.encode_prompts import encode_prompts
        print(encode_prompts(args.checkpoint, args.prompts, args.out, args.family, args.max_sequence_length, args.batch_size,
                             _check_device(args.device), args.dtype, args.without_t5, args.no_instruction))
        return 0
    except (EncoderError, UsageError) as e:
        if getattr(args, 'verbose', False):
            traceback.print_exc()
        sys.stderr.write(f'sidc-torch: {args.cmd}: {e}\n')
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f'sidc-torch: {args.cmd}: interrupted; nothing was written\n')
        return 130
    except Exception as e:  # a failure inside the encoders (e.g. out of memory): one line, the traceback only when asked for
        if getattr(args, 'verbose', False):
            traceback.print_exc()
        msg = str(e).splitlines()[0] if str(e) else ''
        sys.stderr.write(f'sidc-torch: {args.cmd}: failed: {type(e).__name__}: {msg} (--verbose for the traceback); nothing was written\n')
        return 1


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == 'doctor':
        print(json.dumps(doctor()))
        return 0
    if args.cmd == 'export':
        from .export import ExportError, export_student
        try:
            print(export_student(args.student, args.teacher, args.out, args.dtype, args.max_shard_gb))
            return 0
        except (ExportError, ValueError) as e:
            sys.stderr.write(f'sidc-torch: export: {e}\n')
            return 2
    if args.cmd == 'eval':
        return _eval(args)
    if args.cmd in ('encode-prompts', 'make-tiny-encoders'):
        return _encoders(args)
    if args.cmd != 'run':
        _parser().print_usage(sys.stderr)
        return 2
    from . import events
    from .distributed import DistError, device_for, init as init_world, shutdown, world_from_env
    world = None
    try:
        import torch
        import numpy  # noqa: F401 - the engine needs it; say so now rather than mid-run
    except ImportError as e:
        sys.stderr.write(f'sidc-torch: {e}; install python3-torch and python3-numpy (or pip install torch numpy)\n')
        return 2
    from .graph import GraphError, load_graph
    try:
        device = device_for(_check_device(args.device), world_from_env())
        if args.threads:
            torch.set_num_threads(args.threads)
        graph = load_graph(args.graph)
        if not os.path.isdir(args.run_dir):
            raise UsageError(f'run directory {args.run_dir} does not exist (the launcher creates it)')
        world = init_world(device)  # RANK / WORLD_SIZE / ... from the launcher, torchrun or Slurm
        if world.active and not world.writer:  # one progress stream: rank 0's
            sys.stdout = open(os.devnull, 'w')
        world.check_same_graph(graph['hash'])
    except (UsageError, ImportError, DistError) as e:
        if world is not None:
            shutdown(world)
        sys.stderr.write(f'sidc-torch: {e}\n')
        return 2
    except GraphError as e:
        sys.stderr.write(f'sidc-torch: {e}\n')
        return 2
    from .runner import Interrupted, run_graph
    try:
        completed = run_graph(graph, args.run_dir, device, args.stop_after_iterations, world)
        shutdown(world)
        events.emit('done', completed=completed)
        return 0 if completed else 1
    except Interrupted as e:
        sys.stderr.write(f'sidc-torch: {e}\n')
        return 130
    except KeyboardInterrupt:
        sys.stderr.write('sidc-torch: interrupted; the last checkpoint is kept\n')
        return 130
    except Exception as e:  # a run failure: one line, the traceback only when asked for
        if args.verbose:
            traceback.print_exc()
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if world is not None and world.active and any(k in msg for k in ('Connection closed by peer', 'Connection reset by peer', 'Broken pipe', 'NCCL communicator was aborted')):
            msg = f'rank {world.rank}: another rank of the {world.size} stopped (its process group connection closed); the last checkpoint is intact, rerun to resume'
        elif 'out of memory' in msg.lower():  # the checkpoint on disk is the last complete one (atomic writes)
            msg = f"{msg.split('. ')[0]} on {device}; the last checkpoint is intact - compare the peak `sidc plan` predicts (docs/plan.md) and lower batch.per_device"
        sys.stderr.write(f'sidc-torch: run failed: {type(e).__name__ + ": " if not str(e) or args.verbose else ""}{msg}\n')
        return 1
