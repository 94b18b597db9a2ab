// Package dist owns teeth's release artefacts: the cross-compiled binary of
// each platform, its tar.gz archive, and the platform wheel that carries it
// so Python tooling (pip, uv, pipx) installs teeth without Go, the way ruff or
// ziglang ship their native binaries. It also maps the build's version (git
// describe) to the PEP 440 version of the wheel. Every archive is
// reproducible: members in a fixed order with a fixed timestamp.
package dist
