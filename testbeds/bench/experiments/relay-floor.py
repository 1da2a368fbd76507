#!/usr/bin/python3
"""What the kernel charges a relay, without any relay's own code: a blocking read/write (or
splice) relay between two loopback sockets, the server and the client in processes of their own.
Prints MB/s and the relay's CPU seconds per GB. The experiment behind "Why the first two stop where
they do" in docs/performance.md; not part of the benchmark tool.

  testbeds/bench/experiments/relay-floor.py [copy|splice] [READ_BYTES] [PIPE_BYTES]

  copy   read into a buffer of READ_BYTES (default 1 MiB), write it out
  splice socket -> pipe -> socket with splice(2); PIPE_BYTES resizes the pipe (F_SETPIPE_SZ),
         0 keeps Linux's default of 64 KiB
Needs Python 3.10+ (os.splice) on Linux.
"""
import fcntl
import os
import resource
import socket
import sys
import time

TOTAL = 4 << 30
F_SETPIPE_SZ = 1031


def serve(listener):
    conn, _ = listener.accept()
    data = b"x" * (1 << 20)
    sent = 0
    while sent < TOTAL:
        sent += conn.send(data)
    conn.close()


def read_all(port):
    conn = socket.create_connection(("127.0.0.1", port))
    buf = bytearray(1 << 20)
    while conn.recv_into(buf):
        pass


def relay(mode, up, down, read_bytes, pipe_bytes):
    moved = 0
    if mode == "copy":
        buf = bytearray(read_bytes)
        view = memoryview(buf)
        while True:
            n = up.recv_into(buf)
            if n == 0:
                return moved
            down.sendall(view[:n])
            moved += n
    pipe_r, pipe_w = os.pipe()
    if pipe_bytes:
        fcntl.fcntl(pipe_w, F_SETPIPE_SZ, pipe_bytes)
    while True:
        n = os.splice(up.fileno(), pipe_w, read_bytes, flags=os.SPLICE_F_MOVE)
        if n == 0:
            return moved
        left = n
        while left:
            left -= os.splice(pipe_r, down.fileno(), left, flags=os.SPLICE_F_MOVE)
        moved += n


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "copy"
    read_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 20
    pipe_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    if mode not in ("copy", "splice"):
        sys.exit("mode must be copy or splice")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    front = socket.socket()
    front.bind(("127.0.0.1", 0))
    front.listen(1)
    children = []
    pid = os.fork()
    if pid == 0:
        serve(server)
        os._exit(0)
    children.append(pid)
    pid = os.fork()
    if pid == 0:
        read_all(front.getsockname()[1])
        os._exit(0)
    children.append(pid)
    up = socket.create_connection(server.getsockname())
    down, _ = front.accept()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    moved = relay(mode, up, down, read_bytes, pipe_bytes)
    down.close()
    seconds = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    for child in children:
        os.waitpid(child, 0)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    gb = moved / 1e9
    print(f"{mode} read={read_bytes} pipe={pipe_bytes if mode == 'splice' else '-'}: "
          f"{moved / 1e6 / seconds:.0f} MB/s, relay {cpu / gb:.3f} CPU-s/GB "
          f"(user {(r1.ru_utime - r0.ru_utime) / gb:.3f}, system {(r1.ru_stime - r0.ru_stime) / gb:.3f})")


if __name__ == "__main__":
    main()
