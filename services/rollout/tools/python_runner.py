# Runs untrusted code inside the flywheel python tool. Layers (the TypeScript side adds a network namespace, an
# unprivileged user and a wall-clock kill when the machine allows): resource limits, then an audit hook that
# refuses process creation, sockets, native code loading and file access outside the scratch folder.
import json, os, resource, sys

cfg = json.loads(sys.argv[1])
SCRATCH = os.path.realpath(cfg["scratch"])
os.chdir(SCRATCH)

def limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass

limit(resource.RLIMIT_AS, cfg["memory_bytes"])
limit(resource.RLIMIT_CPU, cfg["cpu_seconds"])
limit(resource.RLIMIT_FSIZE, cfg["file_bytes"])
limit(resource.RLIMIT_NOFILE, 64)
limit(resource.RLIMIT_CORE, 0)

# modules people reach for in a calculator sandbox, imported while imports are still unrestricted
import collections, datetime, decimal, fractions, functools, heapq, itertools, math, random, re, statistics, string, traceback  # noqa

READ_ROOTS = tuple(os.path.realpath(p) for p in sys.path if p and os.path.exists(p)) + (SCRATCH,)
WRITE_ROOTS = (SCRATCH,)
BLOCKED_PREFIXES = (
    "socket.", "ctypes.", "subprocess.", "_posixsubprocess", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
    "os.forkpty", "os.system", "os.kill", "os.killpg", "os.setuid", "os.setgid", "os.chroot", "os.setns", "os.unshare",
    "resource.setrlimit", "resource.prlimit", "sys.addaudithook", "gc.get_referrers", "gc.get_referents",
    "gc.get_objects", "pty.", "signal.pthread_kill", "sys.settrace", "sys.setprofile", "sys._current_frames",
    "code.__new__", "function.__new__", "urllib.", "http.", "ftplib.", "smtplib.", "poplib.", "imaplib.", "telnetlib.",
    "webbrowser.", "os.startfile", "msvcrt.", "winreg.", "os.add_dll_directory",
)
ALLOWED_IMPORT_DENYLIST = frozenset({"ctypes", "_ctypes", "subprocess", "_posixsubprocess", "socket", "_socket", "multiprocessing", "pty", "mmap"})
PATH_EVENTS = frozenset({
    "os.listdir", "os.scandir", "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
    "os.chdir", "os.chflags", "os.listxattr", "os.getxattr", "os.setxattr", "os.removexattr", "glob.glob", "shutil.rmtree",
    "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.move", "shutil.chown", "os.truncate",
})
TWO_PATH_EVENTS = frozenset({"os.rename", "os.symlink", "os.link"})
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def inside(path, roots):
    if isinstance(path, int) or path is None:
        return path is None
    try:
        real = os.path.realpath(os.fsdecode(os.fspath(path)))
    except Exception:
        return False
    return any(real == r or real.startswith(r + os.sep) for r in roots)


def deny(event, detail=""):
    raise PermissionError(f"sandbox: {event} is not allowed {detail}".strip())


def hook(event, args):
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITE_FLAGS)
        if not inside(path, WRITE_ROOTS if writing else READ_ROOTS):
            deny("open", repr(path))
    elif event == "import":
        if args and str(args[0]).split(".")[0] in ALLOWED_IMPORT_DENYLIST:
            deny("import", repr(args[0]))
    elif event in PATH_EVENTS:
        roots = READ_ROOTS if event in ("os.listdir", "os.scandir", "glob.glob", "os.listxattr", "os.getxattr") else WRITE_ROOTS
        if args and not inside(args[0], roots):
            deny(event, repr(args[0]))
    elif event in TWO_PATH_EVENTS:
        if not all(inside(a, WRITE_ROOTS) for a in args[:2]):
            deny(event)
    elif event == "object.__setattr__" and len(args) > 1 and args[1] in ("__code__", "__globals__", "__closure__"):
        deny(event, args[1])
    elif event.startswith(BLOCKED_PREFIXES) and event != "import":
        deny(event)


code = sys.stdin.read()
sys.addaudithook(hook)
del cfg, limit
try:
    exec(compile(code, "<code>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
except SystemExit:
    pass
except BaseException:
    traceback.print_exc(limit=-3)
    sys.stdout.flush()
    os._exit(1)
