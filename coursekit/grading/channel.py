"""The data-only channel between the grader and the sandboxed worker that holds a student's notebook.

Both ends run this module: the grader (trusted) and the worker (inside the sandbox, untrusted). A message is
one frame: an 8-byte length, then a JSON header, then binary blobs. Arrays travel in NumPy's ``.npy`` format
read with ``allow_pickle=False``; numbers, strings, lists, tuples and dicts as tagged JSON. Nothing is ever
unpickled, and a frame larger than :data:`MAX_FRAME` closes the channel.

Objects that are not data stay where they are and travel as **handles**: a student's function, class or
object becomes a :class:`Remote` proxy on the grader's side (calls, attribute reads and writes go over the
channel); a grader's callable handed to student code (a correct stand-in, a gradient function, a correct
optimizer class) becomes a :class:`Remote` on the worker's side whose calls come back to the grader. The
grader answers those call-backs only for the objects it exported, reads and writes on them only the
attributes they list in ``__remote_attrs__``, and forgets them at :meth:`Endpoint.reset`.

Arrays are **shared**: an array sent once keeps an id on both ends, and every message carries the new
contents of each shared array that changed since the last message. So an array that the student's code
modifies in place (an optimizer's parameters, a clipped gradient) is modified in the caller's array too,
in both directions.

The module imports only the standard library and NumPy: it is copied into the sandbox as it is.
"""

from __future__ import annotations

import builtins
import io
import json
import socket
import struct
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

MAX_FRAME = 256 * 2**20
"""Largest frame accepted (bytes); a larger one means a broken or hostile peer."""
MAX_DEPTH = 64
"""Deepest nesting of lists, tuples and dicts that is encoded."""
MAX_ITEMS = 1_000_000
"""Longest iterator that is turned into a list before sending."""

SAFE_EXCEPTIONS = frozenset({
    "ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "ImportError", "IndexError",
    "KeyError", "LookupError", "ModuleNotFoundError", "NameError", "NotImplementedError", "OverflowError",
    "RecursionError", "RuntimeError", "StopIteration", "TypeError", "UnboundLocalError", "ValueError",
    "ZeroDivisionError", "MemoryError",
})
"""Exception names rebuilt as the built-in exception on the other end; any other becomes RemoteError."""

CALL_OPTIONS: dict[str, Any] = {"strict": False}
"""Set by the grader around a call: ``strict`` makes overflow and invalid operations raise in the worker."""


class ChannelError(Exception):
    """The peer broke the protocol, closed the channel or did not answer in time."""


class WorkerLost(ChannelError):
    """The worker is gone (it exited, crashed, ran out of memory) or did not answer in time."""

    def __init__(self, reason: str, timeout: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.timeout = reason, timeout


class RemoteError(Exception):
    """An exception raised on the other end whose type is not one of :data:`SAFE_EXCEPTIONS`."""

    def __init__(self, ename: str, evalue: str) -> None:
        super().__init__(f"{ename}: {evalue}" if evalue else ename)
        self.ename, self.evalue = ename, evalue


def rebuild_exception(ename: str, evalue: str, where: str = "") -> Exception:
    """The exception to raise for an error reported by the peer (never a BaseException)."""
    cls = getattr(builtins, ename, None) if ename in SAFE_EXCEPTIONS else None
    exc = cls(evalue) if isinstance(cls, type) and issubclass(cls, Exception) else RemoteError(ename, evalue)
    exc.student_line = where  # type: ignore[attr-defined]
    return exc


def _is_iterator(x: Any) -> bool:
    return isinstance(x, types.GeneratorType | range | map | filter | zip | enumerate | reversed) or (
        hasattr(type(x), "__next__") and hasattr(type(x), "__iter__"))


class Remote:
    """A proxy for an object that lives at the other end of the channel."""

    __slots__ = ("_ep", "_hid", "_kind", "__name__", "__qualname__", "__weakref__")

    def __init__(self, endpoint: Endpoint, hid: str, kind: str, name: str) -> None:
        object.__setattr__(self, "_ep", endpoint)
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "__name__", name)
        object.__setattr__(self, "__qualname__", name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ep.request("call", h=self._hid, args=list(args), kwargs=kwargs,
                                strict=bool(CALL_OPTIONS.get("strict")))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ep.request("getattr", h=self._hid, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ep.request("setattr", h=self._hid, name=name, value=value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._ep.request("list", h=self._hid))

    def __repr__(self) -> str:
        what = {"c": "class", "f": "function"}.get(self._kind, "object")
        return f"{what} {self.__name__}"

    def __deepcopy__(self, memo: dict) -> Remote:
        return self

    def __copy__(self) -> Remote:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a remote object cannot be pickled")


class Endpoint:
    """One end of the channel: encodes and decodes messages, serves requests, keeps handles and arrays.

    Parameters
    ----------
    sock : socket.socket
        A connected stream socket (a socketpair end).
    side : {"g", "w"}
        The grader's end (answers only call-backs to its exported objects) or the worker's end.
    serve : callable, optional
        ``serve(op, fields) -> value``: the handler of requests other than the handle operations (the
        worker's ``exec``, ``get``, ``bind``).
    """

    def __init__(self, sock: socket.socket, side: str,
                 serve: Callable[[str, dict], Any] | None = None) -> None:
        self.sock, self.side, self._serve = sock, side, serve
        self.deadline: float | None = None
        self.closed: str | None = None
        self._next = 0
        self.kept: dict[str, Any] = {}
        """Exported objects that survive :meth:`reset` (the grader's provided objects)."""
        self.reset()

    # --------------------------------------------------------------------------------------------- state

    def reset(self) -> None:
        """Forget every handle and shared array (both ends do so between two graded parts)."""
        self.exported: dict[str, Any] = dict(self.kept)  # hid -> my object
        self._export_ids: dict[int, str] = {id(obj): hid for hid, obj in self.kept.items()}
        self.proxies: dict[str, Remote] = {}    # hid -> proxy for the peer's object
        self.shared: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # sid -> (array, snapshot)
        self._share_ids: dict[int, str] = {}
        self.generators: dict[str, tuple[np.random.Generator, str]] = {}  # sid -> (generator, state snapshot)

    def _new_id(self) -> str:
        self._next += 1
        return f"{self.side}{self._next}"

    # ------------------------------------------------------------------------------------------ encoding

    def encode(self, x: Any, blobs: list[bytes], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError("the value is nested too deeply to be sent")
        if x is None or isinstance(x, bool | str):
            return x
        if isinstance(x, int):
            return x if abs(x) < 2**63 else {"i": str(x)}
        if isinstance(x, float):
            return x if np.isfinite(x) else {"f": repr(float(x))}  # np.float64 too: "inf", not its repr
        if isinstance(x, complex):
            return {"z": [self.encode(x.real, blobs), self.encode(x.imag, blobs)]}
        if isinstance(x, np.ndarray) and x.dtype.kind in "biufcUSM m":
            return self._encode_array(x, blobs)
        if isinstance(x, np.random.Generator):
            return self._encode_generator(x, blobs)
        if isinstance(x, np.generic) and not isinstance(x, np.object_):
            blobs.append(_npy(np.asarray(x)))
            return {"s": len(blobs) - 1}
        if isinstance(x, bytes):
            blobs.append(bytes(x))
            return {"y": len(blobs) - 1}
        if isinstance(x, list):
            return [self.encode(v, blobs, depth + 1) for v in x]
        if isinstance(x, tuple):
            return {"t": [self.encode(v, blobs, depth + 1) for v in x]}
        if isinstance(x, dict):
            return {"d": [[self.encode(k, blobs, depth + 1), self.encode(v, blobs, depth + 1)]
                          for k, v in x.items()]}
        if isinstance(x, Remote) and x._ep is self:
            return {"x": x._hid}
        if _is_iterator(x):
            items = []
            for item in x:
                items.append(item)
                if len(items) > MAX_ITEMS:
                    raise ValueError("the iterator yields too many items")
            return self.encode(items, blobs, depth)
        return self._export(x)

    def _encode_array(self, a: np.ndarray, blobs: list[bytes]) -> dict:
        sid = self._share_ids.get(id(a))
        if sid is not None and self.shared[sid][0] is a:
            return {"r": sid}
        sid = self._new_id()
        self.shared[sid] = (a, a.copy())
        self._share_ids[id(a)] = sid
        blobs.append(_npy(a))
        return {"a": len(blobs) - 1, "id": sid}

    def _encode_generator(self, g: np.random.Generator, blobs: list[bytes]) -> dict:
        """A NumPy Generator travels by its state and stays shared: the state it reaches on one end is set
        on the other (so a student's shuffle advances the check's generator as it would locally)."""
        sid = self._share_ids.get(id(g))
        if sid is None or self.generators.get(sid, (None,))[0] is not g:
            sid = self._new_id()
            self._share_ids[id(g)] = sid
        state = json.dumps(g.bit_generator.state, default=int)
        self.generators[sid] = (g, state)
        return {"g": sid, "state": state}

    def _decode_generator(self, sid: str, state: str) -> np.random.Generator:
        entry = self.generators.get(sid)
        value = json.loads(state)
        if entry is None:
            kind = getattr(np.random, str(value.get("bit_generator")), None)
            if kind not in (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
                            np.random.SFC64):
                raise ChannelError("a message holds an unknown random generator")
            entry = (np.random.Generator(kind()), state)
        entry[0].bit_generator.state = value
        self.generators[sid] = (entry[0], state)
        return entry[0]

    def _export(self, obj: Any) -> dict:
        hid = self._export_ids.get(id(obj))
        if hid is None or self.exported.get(hid) is not obj:
            hid = self._new_id()
            self.exported[hid] = obj
            self._export_ids[id(obj)] = hid
        kind = "c" if isinstance(obj, type) else "f" if callable(obj) else "o"
        name = getattr(obj, "__name__", None)
        return {"h": hid, "k": kind, "n": name if isinstance(name, str) else type(obj).__name__}

    def decode(self, x: Any, blobs: list[bytes], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ChannelError("a message is nested too deeply")
        if x is None or isinstance(x, bool | int | float | str):
            return x
        if isinstance(x, list):
            return [self.decode(v, blobs, depth + 1) for v in x]
        if not isinstance(x, dict) or len(x) == 0:
            raise ChannelError("a message holds an unknown value")
        if "t" in x:
            return tuple(self.decode(v, blobs, depth + 1) for v in x["t"])
        if "d" in x:
            return {_key(self.decode(k, blobs, depth + 1)): self.decode(v, blobs, depth + 1)
                    for k, v in x["d"]}
        if "a" in x:
            return self._decode_array(str(x["id"]), _load(blobs[int(x["a"])]))
        if "r" in x:
            entry = self.shared.get(str(x["r"]))
            if entry is None:
                raise ChannelError("a message refers to an unknown array")
            return entry[0]
        if "s" in x:
            return _load(blobs[int(x["s"])])[()]
        if "g" in x:
            return self._decode_generator(str(x["g"]), str(x["state"]))
        if "i" in x:
            return int(str(x["i"]))
        if "f" in x:
            return float(str(x["f"]))
        if "z" in x:
            re, im = (self.decode(v, blobs, depth + 1) for v in x["z"])
            return complex(float(re), float(im))
        if "y" in x:
            return bytes(blobs[int(x["y"])])
        if "x" in x:
            hid = str(x["x"])
            if hid not in self.exported:
                raise ChannelError("a message refers to an unknown object")
            return self.exported[hid]
        if "h" in x:
            hid = str(x["h"])
            if hid.startswith(self.side):
                raise ChannelError("a message claims an object of this end")
            if hid not in self.proxies:
                self.proxies[hid] = Remote(self, hid, str(x.get("k", "o")), str(x.get("n", "object"))[:200])
            return self.proxies[hid]
        raise ChannelError("a message holds an unknown value")

    def _decode_array(self, sid: str, value: np.ndarray) -> np.ndarray:
        if sid.startswith(self.side) and sid not in self.shared:
            raise ChannelError("a message claims an array of this end")
        entry = self.shared.get(sid)
        if entry is not None:
            a = entry[0]
            if a.shape == value.shape and a.dtype == value.dtype and a.flags.writeable:
                np.copyto(a, value)
                self.shared[sid] = (a, value)
                return a
        a = value.copy() if not value.flags.writeable else value
        self.shared[sid] = (a, a.copy())
        self._share_ids[id(a)] = sid
        return a

    # ----------------------------------------------------------------------------------------- framing

    def _changed(self, blobs: list[bytes]) -> list[list]:
        out = []
        for sid, (a, snap) in list(self.shared.items()):
            if a.shape != snap.shape or a.dtype != snap.dtype or not np.array_equal(a, snap, equal_nan=True):
                blobs.append(_npy(a))
                out.append([sid, len(blobs) - 1])
                self.shared[sid] = (a, a.copy())
        for sid, (g, snap) in list(self.generators.items()):
            state = json.dumps(g.bit_generator.state, default=int)
            if state != snap:
                out.append([sid, state])
                self.generators[sid] = (g, state)
        return out

    def send(self, header: dict, payload: dict) -> None:
        blobs: list[bytes] = []
        header = dict(header, v=self.encode(payload, blobs))
        header["sync"] = self._changed(blobs)
        header["blobs"] = [len(b) for b in blobs]
        head = json.dumps(header, allow_nan=False).encode()
        frame = struct.pack(">I", len(head)) + head + b"".join(blobs)
        if len(frame) > MAX_FRAME:
            raise ValueError(f"the message is too large to send ({len(frame) / 2**20:.0f} MB)")
        try:
            self.sock.sendall(struct.pack(">Q", len(frame)) + frame)
        except OSError as exc:
            raise self._lost(f"the channel closed ({exc.strerror or exc})") from None

    def _lost(self, reason: str, timeout: bool = False) -> WorkerLost:
        self.closed = reason
        return WorkerLost(reason, timeout)

    def _read(self, n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise self._lost("it did not answer within the time limit", timeout=True)
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(None)
            try:
                chunk = self.sock.recv(min(n - got, 1 << 20))
            except TimeoutError:
                raise self._lost("it did not answer within the time limit", timeout=True) from None
            except OSError as exc:
                raise self._lost(f"the channel closed ({exc.strerror or exc})") from None
            if not chunk:
                raise self._lost("the process exited or was killed")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def recv(self) -> tuple[dict, Any]:
        if self.closed:
            raise WorkerLost(self.closed)
        (size,) = struct.unpack(">Q", self._read(8))
        if size > MAX_FRAME or size < 4:
            raise self._lost(f"it sent a frame of {size} bytes (the limit is {MAX_FRAME})")
        frame = self._read(size)
        try:
            (hlen,) = struct.unpack(">I", frame[:4])
            header = json.loads(frame[4:4 + hlen])
            blobs, pos = [], 4 + hlen
            for n in header["blobs"]:
                blobs.append(frame[pos:pos + int(n)])
                pos += int(n)
            for sid, index in header["sync"]:
                if isinstance(index, str) and str(sid) in self.generators:
                    self._decode_generator(str(sid), index)
                elif str(sid) in self.shared:
                    self._decode_array(str(sid), _load(blobs[int(index)]))
            return header, self.decode(header["v"], blobs)
        except WorkerLost:
            raise
        except Exception as exc:  # noqa: BLE001 - anything malformed ends the channel
            raise self._lost(f"it sent a malformed message ({type(exc).__name__}: {exc})") from None

    # -------------------------------------------------------------------------------------------- RPC

    def request(self, op: str, **fields: Any) -> Any:
        """Send a request and wait for its answer, serving the peer's requests (call-backs) meanwhile."""
        self._next += 1
        rid = self._next
        self.send({"op": op, "id": rid}, fields)
        while True:
            header, value = self.recv()
            if header.get("re") == rid:
                if header["op"] == "ok":
                    return value
                ename, evalue = str(value.get("ename", "Error")), str(value.get("evalue", ""))[:20000]
                raise rebuild_exception(ename, evalue, str(value.get("where", ""))[:1000])
            if "re" in header:
                raise self._lost("it answered a request that was not made")
            self.serve_one(header, value)

    def serve_one(self, header: dict, fields: Any) -> None:
        """Run one request of the peer and send its answer."""
        try:
            result = self._dispatch(str(header.get("op")), fields if isinstance(fields, dict) else {})
            self.send({"op": "ok", "re": header.get("id")}, result)
        except WorkerLost:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported to the peer; the grader's own Ctrl-C goes on
            if isinstance(exc, KeyboardInterrupt) and self.side == "g":
                raise
            self.send({"op": "err", "re": header.get("id")},
                      {"ename": type(exc).__name__, "evalue": str(exc)[:20000], "where": _where(exc)})

    def _target(self, fields: dict) -> Any:
        hid = str(fields.get("h"))
        if hid not in self.exported:
            raise LookupError("this object is no longer available")
        return self.exported[hid]

    def _allowed(self, obj: Any, name: str) -> bool:
        return self.side == "w" or name in getattr(type(obj), "__remote_attrs__", ())

    def _dispatch(self, op: str, fields: dict) -> Any:
        if op == "call":
            fn = self._target(fields)
            if not callable(fn):
                raise TypeError(f"{type(fn).__name__} object is not callable")
            args, kwargs = fields.get("args", []), fields.get("kwargs", {})
            if self.side == "w" and fields.get("strict"):
                with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                    return fn(*args, **kwargs)
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
        if op in ("getattr", "setattr"):
            obj, name = self._target(fields), str(fields.get("name"))
            if not self._allowed(obj, name):
                raise AttributeError(f"{type(obj).__name__} has no attribute {name!r} here")
            if op == "getattr":
                return getattr(obj, name)
            setattr(obj, name, fields.get("value"))
            return None
        if op == "list" and self.side == "w":
            return list(self._target(fields))
        if op == "reset":
            self.reset()
            return None
        if self._serve is not None and self.side == "w":
            return self._serve(op, fields)
        raise PermissionError(f"the request {op!r} is not served here")


def _key(k: Any) -> Any:
    return k if isinstance(k, str | int | float | bool | tuple | type(None)) else repr(k)


def _where(exc: BaseException) -> str:
    """Where in the student's code an exception was raised: the last frame of a notebook cell."""
    tb, found = exc.__traceback__, ""
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith("<ipython-input") or "/ipykernel_" in name or name.startswith("<cell"):
            import linecache

            line = linecache.getline(name, tb.tb_lineno).strip()
            found = f" (in {tb.tb_frame.f_code.co_name}, line {tb.tb_lineno}: {line})" if line else ""
        tb = tb.tb_next
    return found


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a) if a.ndim else a, allow_pickle=False)
    return buf.getvalue()


def _load(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)
