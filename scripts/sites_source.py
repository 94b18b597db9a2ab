"""sites.py's source text: a file's bytes, and the byte spans of its AST nodes.

Loaded before sites.py (scripts.Run sends it on stdin); imports nothing of
teeth's. Owns the compatibility switches for old interpreters
(``TEETH_SITES_COMPAT=1`` turns off what Python 3.9+ adds: ``ast.unparse``
and keyword positions), ``Source`` (line and column to byte offset, in the
file's own encoding), the spans of keyword arguments where the AST has none,
``parses_as`` (whether a span's text parses back to the same nodes), the
callee text reported for a site and ``Skip``, raised for an offload call
whose shape teeth cannot mutate safely.
"""
import ast
import codecs
import io
import os
import re
import sys
import tokenize

COMPAT = os.environ.get("TEETH_SITES_COMPAT") == "1"
HAS_UNPARSE = hasattr(ast, "unparse") and not COMPAT
KW_POS = sys.version_info >= (3, 9) and not COMPAT
NEWLINE = re.compile(rb"\r\n|\r|\n")
COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
INDEX = ast.Index if sys.version_info < (3, 9) else ()


class Skip(Exception):
    """An offload call whose shape teeth cannot mutate safely."""


class Source(object):
    """File bytes with line/column to byte-offset mapping."""

    def __init__(self, data):
        self.data = data
        self.enc = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        if self.enc == "utf-8-sig":
            self.enc = "utf-8"
        self.utf8 = codecs.lookup(self.enc).name == "utf-8"
        bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
        self.starts = [bom] + [m.end() for m in NEWLINE.finditer(data)]

    def off(self, line, col):
        start = self.starts[line - 1]
        if self.utf8:
            return start + col
        end = self.starts[line] if line < len(self.starts) else len(self.data)
        text = self.data[start:end].decode(self.enc)
        chars = len(text.encode("utf-8")[:col].decode("utf-8", "ignore"))
        return start + len(text[:chars].encode(self.enc))

    def span(self, node):
        return [self.off(node.lineno, node.col_offset), self.off(node.end_lineno, node.end_col_offset)]

    def text(self, span):
        return self.data[span[0]:span[1]].decode(self.enc)


def undecodable(data, msg):
    """Where and why data is not text in its encoding: (line, message), or
    None. The encoding is the one Python reads the file in (a UTF-8 BOM, a PEP
    263 coding declaration on line 1 or 2, else UTF-8); msg is what Python
    said, kept for a declaration it cannot use."""
    lines = [m.group(0) for m in re.finditer(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", data)]
    if lines and lines[0].startswith(codecs.BOM_UTF8):
        lines[0] = lines[0][len(codecs.BOM_UTF8):]
    cookie = next((i for i, line in enumerate(lines[:2]) if COOKIE.match(line)), None)
    try:
        enc = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        codecs.lookup(enc)
    except (SyntaxError, LookupError) as e:
        if cookie is not None:
            return cookie + 1, msg or getattr(e, "msg", None) or str(e)
        enc = "utf-8"
    enc = "utf-8" if enc == "utf-8-sig" else enc
    for i, line in enumerate(lines):
        try:
            line.decode(enc)
        except UnicodeDecodeError as e:
            how = "no coding declaration" if cookie is None else "declared on line %d" % (cookie + 1)
            return i + 1, "byte 0x%02x at column %d is not %s (%s)" % (line[e.start], e.start + 1, enc, how)
    return None


def kw_span(src, kw):
    """Span of a keyword argument, from its name or its '**'."""
    if KW_POS:
        return src.span(kw)
    data = src.data
    start, end = src.span(kw.value)
    i, parens = back_space(data, start), 0
    while data[i - 1:i] == b"(":
        i, parens = back_space(data, i - 1), parens + 1
    for _ in range(parens):
        end = fwd_space(data, end)
        if data[end:end + 1] != b")":
            raise Skip("cannot locate keyword value")
        end += 1
    if kw.arg is None:
        if data[i - 2:i] != b"**":
            raise Skip("cannot locate '**'")
        return [i - 2, end]
    if data[i - 1:i] != b"=":
        raise Skip("cannot locate keyword name")
    i = j = back_space(data, i - 1)
    while i > 0 and (data[i - 1:i].isalnum() or data[i - 1] in b"_" or data[i - 1] >= 0x80):
        i -= 1
    if i == j:
        raise Skip("cannot locate keyword name")
    return [i, end]


def back_space(data, i):
    while i > 0:
        if data[i - 1:i] in (b" ", b"\t", b"\x0c", b"\r", b"\n"):
            i -= 1
        elif data[i - 1:i] == b"\\" and i < len(data) and data[i:i + 1] in (b"\r", b"\n"):
            i -= 1
        else:
            break
    return i


def fwd_space(data, i):
    while data[i:i + 1] in (b" ", b"\t", b"\x0c", b"\r", b"\n") and i < len(data):
        i += 1
    return i


def dump(node):
    return ast.dump(node)


def parses_as(text, nodes):
    """Whether '_(text)' parses to exactly the given argument nodes."""
    try:
        call = ast.parse("_(" + text + ")", mode="eval").body
    except (SyntaxError, ValueError):
        return False
    if not isinstance(call, ast.Call):
        return False
    pos = [n for n in nodes if not isinstance(n, ast.keyword)]
    kws = [n for n in nodes if isinstance(n, ast.keyword)]
    return list(map(dump, call.args)) == list(map(dump, pos)) and list(map(dump, call.keywords)) == list(map(dump, kws))


def callee_text(src, node, span):
    if isinstance(node, ast.Lambda):
        return "<lambda>"
    text = ast.unparse(node) if HAS_UNPARSE else unparse(src, node)
    return text if len(text) <= 60 else text[:57] + "..."


def unparse(src, e):
    """ast.unparse for the common callee shapes, on Pythons that lack it."""
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return unparse(src, e.value) + "." + e.attr
    if isinstance(e, ast.Call):
        args = [unparse(src, a) for a in e.args]
        args += [(k.arg + "=" if k.arg else "**") + unparse(src, k.value) for k in e.keywords]
        return unparse(src, e.func) + "(" + ", ".join(args) + ")"
    if isinstance(e, ast.Starred):
        return "*" + unparse(src, e.value)
    if isinstance(e, ast.Subscript):
        return unparse(src, e.value) + "[" + unparse(src, e.slice) + "]"
    if isinstance(e, ast.Constant) and not isinstance(e.value, bytes):
        return repr(e.value)
    if isinstance(e, INDEX):
        return unparse(src, e.value)
    return " ".join(src.text(src.span(e)).split()) if hasattr(e, "end_col_offset") else "..."
