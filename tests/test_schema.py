"""Property tests of the spec format and the command-line tools' numbers (hypothesis): a bad value anywhere gives one
line naming the file (or the flag) and the key, never a traceback and never any work; a good spec reads back as written."""
import math
from pathlib import Path
import pytest, yaml
from hypothesis import HealthCheck, given, settings, strategies as st
from scaling_downstream.schema import Finetune, Pretrain, Section, read_spec_file, spec_errors

ROOT = Path(__file__).resolve().parent.parent
CPU = yaml.safe_load((ROOT/'specs/cpu.yaml').read_text())
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

def numeric_keys(section: type[Section]) -> list[str]:
    "The keys of `section` that take a number with a range (the ones a bad number can get wrong)."
    return [k for k, f in section.model_fields.items() if 'int' in str(f.annotation) or 'float' in str(f.annotation)]

# out of every range a setting has: negative, non-finite, text, a list, a mapping
bad_numbers = st.one_of(st.floats(max_value=-1e-9, allow_nan=False), st.integers(max_value=-1),
                        st.sampled_from([math.nan, math.inf, -math.inf, '4k', 'ten', [], [1], {'a': 1}]))

@SETTINGS
@given(section=st.sampled_from(['pretrain', 'finetune']), data=st.data(), value=bad_numbers)
def test_a_bad_number_under_any_setting_is_one_line_naming_it(section, data, value):
    key = data.draw(st.sampled_from(numeric_keys({'pretrain': Pretrain, 'finetune': Finetune}[section])))
    spec = {**CPU, section: {**CPU[section], key: value}}
    errors = spec_errors(spec, 'mine.yaml')
    assert errors and all(e.startswith(f'mine.yaml: {section}.{key}') and '\n' not in e for e in errors), errors

@SETTINGS
@given(key=st.sampled_from(['milestones', 'd_f']), values=st.lists(st.one_of(bad_numbers, st.integers(1, 10**9)), max_size=4))
def test_bad_sizes_are_refused_by_key(key, values):
    good = values and all(isinstance(v, int) and v > 0 for v in values) and all(b > a for a, b in zip(values, values[1:]))
    errors = spec_errors({**CPU, key: values}, 'mine.yaml')
    assert (errors == []) == bool(good), (values, errors)
    assert all(e.startswith(f'mine.yaml: {key}') for e in errors), errors

words = st.text(alphabet='abcdefghijklmnopqrstuvwxyz_', min_size=1, max_size=12)

@SETTINGS
@given(key=words, section=st.sampled_from([None, 'pretrain', 'finetune', 'evaluation']))
def test_an_unknown_key_is_named_wherever_it_is(key, section):
    known = set(CPU) if section is None else set({'pretrain': Pretrain, 'finetune': Finetune}.get(section, Pretrain).model_fields)
    if section == 'evaluation': known = {'split', 'num_beams', 'limit', 'also'}
    if key in known: return
    spec = {**CPU, key: 1} if section is None else {**CPU, section: {**CPU[section], key: 1}}
    path = key if section is None else f'{section}.{key}'
    assert f'mine.yaml: {path}: unknown key' in '\n'.join(spec_errors(spec, 'mine.yaml'))

good_settings = st.fixed_dictionaries({}, optional={
    'lr': st.floats(1e-6, 1.0), 'batch_size': st.integers(1, 512), 'warmup_steps': st.integers(0, 10_000),
    'max_steps': st.integers(1, 100_000), 'label_smoothing': st.floats(0, 0.99), 'decay': st.booleans(),
    'patience': st.integers(1, 20), 'valid_pairs': st.integers(0, 10_000)})

@SETTINGS
@given(finetune=good_settings, seeds=st.lists(st.integers(0, 2**31), min_size=1, max_size=5, unique=True))
def test_a_good_spec_reads_back_as_written(tmp_path, finetune, seeds):
    spec = {**CPU, 'finetune': {**CPU['finetune'], **finetune}, 'seeds': {'en-fr': {'none': seeds}}}
    path = tmp_path/'spec.yaml'
    path.write_text(yaml.safe_dump(spec))
    assert read_spec_file(path) == spec

@SETTINGS
@given(text=st.text(max_size=200))
def test_any_text_is_a_spec_or_one_error_per_line(tmp_path, text):
    path = tmp_path/'spec.yaml'
    path.write_text(text, encoding='utf-8')
    try: read_spec_file(path)
    except ValueError as e: assert all(line.startswith(str(path)) for line in str(e).splitlines()), str(e)

def cli_error(command, *args, **kwargs) -> str:
    "What a console script says when it refuses its input (its SystemExit), or '' if it ran."
    try: command.__wrapped__(*args, **kwargs)
    except SystemExit as e: return str(e)
    return ''

@SETTINGS
@given(flag=st.sampled_from(['lr', 'batch_size', 'warmup_steps', 'max_epochs', 'save_every', 'noise_density', 'input_length']),
       value=st.one_of(st.floats(max_value=-1e-9, allow_nan=False), st.sampled_from([math.nan, math.inf, -math.inf]), st.just(0)))
def test_sd_pretrain_refuses_a_bad_number_before_any_work(tmp_path, flag, value):
    from scaling_downstream.cli import sd_pretrain
    if flag in ('warmup_steps',) and value == 0: return  # no warm-up is a setting
    said = cli_error(sd_pretrain, tmp_path/'run', **{flag: value})
    assert said.startswith(f'sd-pretrain: --{flag} ') and '\n' not in said, said
    assert not (tmp_path/'run').exists()

@SETTINGS
@given(flag=st.sampled_from(['d_f', 'lr', 'batch_size', 'max_steps', 'eval_every', 'patience', 'label_smoothing']),
       value=st.one_of(st.floats(max_value=-1e-9, allow_nan=False), st.sampled_from([math.nan, math.inf])))
def test_sd_finetune_refuses_a_bad_number_before_any_work(tmp_path, flag, value):
    from scaling_downstream.cli import sd_finetune
    said = cli_error(sd_finetune, tmp_path/'ft', pair='en-fr', **{flag: value})
    assert said.startswith(f'sd-finetune: --{flag} ') and '\n' not in said, said
    assert not (tmp_path/'ft').exists()

@pytest.mark.parametrize('flags, says', [(dict(time=math.inf), '--time inf'), (dict(cpus=0), '--cpus 0'),
                                         (dict(mem=-1.0), '--mem -1.0'), (dict(gpus=0), '--gpus 0')])
def test_sd_reproduce_refuses_a_bad_cluster_number(tmp_path, flags, says):
    from scaling_downstream.cli import sd_reproduce
    said = cli_error(sd_reproduce, scale='smoke', launcher='slurm', dry_run=True, runs=str(tmp_path/'runs'), **flags)
    assert said.startswith(f'sd-reproduce: {says}') and '\n' not in said, said
