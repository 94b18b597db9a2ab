"""Where a call is in a Python source: teeth's evidence and reach locate calls with it.

Imported by teeth_reach and teeth_evidence; imports nothing of teeth's.
``resolve_calls`` compiles a file the way the import system does and maps a
byte span of it to the call instruction that spans it (``co_positions``:
lines, and UTF-8 byte columns of the decoded line, turned back into offsets
of the file's own bytes: a BOM, a PEP 263 encoding), so that on Python 3.12+ reach
is recorded per call with ``sys.monitoring`` instead of per line;
``line_starts`` and ``line_of`` map byte offsets to lines for the line
windows of older Pythons. ``call_text`` reads back, after a test, the callee
expression of the call instruction a mock was called from.
"""

import codecs
import dis
import io
import linecache
import tokenize
import types

_CALL_OPS = {"CALL", "CALL_KW", "CALL_FUNCTION_EX"}


def line_starts(source):
    """Byte offset of the start of each line of source (\\n, \\r\\n or \\r)."""
    starts = [0]
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == 10 or (c == 13 and (i + 1 >= n or source[i + 1] != 10)):
            starts.append(i + 1)
        i += 1
    return starts


def line_of(starts, offset):
    """The 1-based line of a byte offset."""
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


class _Offsets(object):
    """Maps (line, UTF-8 byte column of the decoded line) to an offset of the
    file's bytes, in the file's encoding (the UTF-8 BOM skipped)."""

    def __init__(self, source):
        self.source = source
        self.starts = line_starts(source)
        enc = tokenize.detect_encoding(io.BytesIO(source).readline)[0]
        self.enc = "utf-8" if enc == "utf-8-sig" else enc
        self.utf8 = codecs.lookup(self.enc).name == "utf-8"
        if source.startswith(codecs.BOM_UTF8):
            self.starts[0] = len(codecs.BOM_UTF8)

    def lines(self):
        return len(self.starts)

    def at(self, line, col):
        start = self.starts[line - 1]
        if self.utf8:
            return start + col
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        text = self.source[start:end].decode(self.enc)
        chars = len(text.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return start + len(text[:chars].encode(self.enc))


def _codes(code, wanted):
    """The code objects under code (itself included) with an instruction on
    one of the wanted lines (a container of line numbers)."""
    if not hasattr(code, "co_lines") or any(line in wanted for _, _, line in code.co_lines()):
        yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const, wanted)


def resolve_calls(source, filename, spans):
    """Maps each (start, end, key) byte span to the outermost call instruction
    inside it: {key: ((co_qualname, co_firstlineno), offset, next offset)},
    next offset being the instruction the frame resumes at once the call
    returns. A span with no call instruction is left out. Only the code
    objects whose lines meet a span's are disassembled."""
    code = compile(source, filename, "exec", dont_inherit=True)
    offsets = _Offsets(source)
    by_line = {}
    for start, end, key in spans:
        for line in range(line_of(offsets.starts, start), line_of(offsets.starts, max(end - 1, start)) + 1):
            by_line.setdefault(line, []).append((start, end, key))
    best = {}
    for co in _codes(code, by_line):
        where = (co.co_qualname, co.co_firstlineno)
        instructions = list(dis.get_instructions(co))
        for i, ins in enumerate(instructions[:-1]):
            pos = ins.positions
            if ins.opname not in _CALL_OPS or pos is None or None in (pos.lineno, pos.end_lineno, pos.col_offset, pos.end_col_offset):
                continue
            if pos.end_lineno > offsets.lines() or pos.lineno > offsets.lines():
                continue
            if pos.lineno not in by_line:
                continue
            a = offsets.at(pos.lineno, pos.col_offset)
            b = offsets.at(pos.end_lineno, pos.end_col_offset)
            for start, end, key in by_line[pos.lineno]:
                if start <= a and b <= end and (key not in best or b - a > best[key][0]):
                    best[key] = (b - a, where, ins.offset, instructions[i + 1].offset)
    return {key: (where, offset, after) for key, (_, where, offset, after) in best.items()}


def positions_at(code, offset):
    """The (lineno, end_lineno, col, end_col) of the instruction at offset, or None."""
    if offset < 0 or not hasattr(code, "co_positions"):
        return None
    for i, pos in enumerate(code.co_positions()):
        if i * 2 == offset:
            return pos
    return None


def line_at(code, offset):
    """The line of the instruction at offset, or 0."""
    pos = positions_at(code, offset)
    if pos is not None and pos[0]:
        return pos[0]
    for start, end, line in code.co_lines() if hasattr(code, "co_lines") else ():
        if start <= offset < end and line:
            return line
    return 0


def call_text(code, offset):
    """The callee expression of the call instruction at offset ("os.listdir"
    for "os.listdir(path)"), from the source; "" when unknown. Reads files:
    call it only while no event loop runs (after the test)."""
    pos = positions_at(code, offset)
    if pos is None or None in pos:
        return ""
    first, last, col, end_col = pos
    lines = [linecache.getline(code.co_filename, n).encode("utf-8") for n in range(first, last + 1)]
    if not lines or not lines[0]:
        return ""
    lines[-1] = lines[-1][:end_col]
    lines[0] = lines[0][col:]
    text = b"".join(lines).decode("utf-8", "replace").strip()
    return callee_of(text)


def callee_of(text):
    """The callee part of a call expression's text: "a.b" for "a.b(x, (y))"."""
    if not text.endswith(")"):
        return " ".join(text.split())
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                return " ".join(text[:i].split())
    return " ".join(text.split())
