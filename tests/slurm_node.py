"""A real one-node SLURM cluster on this machine, for the tests and benchmarks of the SLURM launcher: Debian's slurm-wlm
and munge (installed with apt-get when missing; this needs root), a slurm.conf for this host in a folder of its own,
munged, slurmctld and slurmd started as root and stopped again by their pid files.

    with one_node_slurm(folder) as conf: ...   # SLURM_CONF points at it inside the block
"""
import contextlib, os, shutil, signal, socket, subprocess, time
from pathlib import Path
from conftest import apt_install

CONF = """ClusterName=sd-test
SlurmctldHost={host}
SlurmUser=root
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/filetxt
JobCompLoc={dir}/jobcomp.txt
ReturnToService=2
MpiDefault=none
MinJobAge=600
# seconds from scancel's SIGTERM to its SIGKILL (default 30): a submitit job lets SIGTERM pass, so SIGKILL ends it
KillWait=2
NodeName={host} CPUs={cpus} RealMemory={mem} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""

def install() -> None:
    "Debian's SLURM and munge, if their daemons are not installed."
    if all(shutil.which(c) for c in ('slurmctld', 'slurmd', 'munged', 'sbatch')): return
    apt_install('slurm-wlm', 'munge')

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def munge_running() -> bool:
    return subprocess.run(['munge', '-n'], capture_output=True).returncode == 0

def stop(pid_file: Path) -> None:
    "Stop the daemon whose pid is in `pid_file`, waiting until it has gone."
    if not pid_file.exists(): return
    pid = int(pid_file.read_text().split()[0])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0); time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)

def wait_idle(timeout: float=60) -> None:
    "Wait until the node takes jobs."
    for _ in range(int(timeout * 2)):
        out = subprocess.run(['sinfo', '-h', '-o', '%T'], capture_output=True, text=True).stdout.split()
        if out and all(s in ('idle', 'mixed', 'allocated') for s in out): return
        time.sleep(0.5)
    raise TimeoutError(f"the SLURM node did not come up: sinfo says {out}")

@contextlib.contextmanager
def one_node_slurm(folder):
    "A one-node SLURM cluster for the block: SLURM_CONF set, the daemons this started stopped at the end."
    install()
    d = Path(folder).resolve(); (d/'state').mkdir(parents=True, exist_ok=True); (d/'spool').mkdir(exist_ok=True)
    host = socket.gethostname().split('.')[0]
    mem = int(subprocess.run(['slurmd', '-C'], capture_output=True, text=True).stdout.split('RealMemory=')[1].split()[0])
    (d/'slurm.conf').write_text(CONF.format(host=host, dir=d, cpus=os.cpu_count(), mem=int(mem * 0.9),
                                            ctld_port=free_port(), d_port=free_port()))
    old = os.environ.get('SLURM_CONF'); os.environ['SLURM_CONF'] = str(d/'slurm.conf')
    started = []
    try:
        if not munge_running():
            Path('/run/munge').mkdir(exist_ok=True); shutil.chown('/run/munge', 'munge', 'munge')
            subprocess.run(['munged', '--force', f'--pid-file={d}/munged.pid'], check=True, capture_output=True)
            started.append(d/'munged.pid')
        for daemon in ('slurmctld', 'slurmd'):
            subprocess.run([daemon, '-c'], check=True, capture_output=True)
            started.insert(0, d/f'{daemon}.pid')  # stopped in reverse order
        wait_idle()
        yield d/'slurm.conf'
    finally:
        subprocess.run(['scancel', '--user', str(os.getuid())], capture_output=True)
        for pid_file in started: stop(pid_file)
        if old is None: os.environ.pop('SLURM_CONF', None)
        else: os.environ['SLURM_CONF'] = old
