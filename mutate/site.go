package mutate

import "encoding/json"

// Site is one offload call site.
type Site struct {
	// ID is "<path>:<qualname>:<callee>#<ordinal>"; it survives line shifts.
	ID string `json:"id"`
	// Path is the slash path of the file relative to the project dir.
	Path string `json:"path"`
	// Line is the 1-based line of the replaced span's start, the same line in
	// the original and in the mutant.
	Line int `json:"line"`
	// Col is the 1-based byte column of the replaced span's start.
	Col int `json:"col"`
	// Function is the enclosing qualname ("<module>" at top level).
	Function string `json:"function"`
	// Callee is the offloaded callable, normalized and cut to 60 characters.
	Callee string `json:"callee"`
	// Offload names the offload API, e.g. "asyncio.to_thread" or
	// "wrapper:app.io.run_file_io".
	Offload string `json:"offload"`
	// Shape is how the offload is consumed: "awaited", "wait_for", "gather",
	// "create_task", "ensure_future" or "deferred".
	Shape string `json:"shape"`
	// Ordinal is the index among sites with the same path, qualname and callee,
	// in source order.
	Ordinal int `json:"ordinal"`

	sha256  string
	edit    edit
	enc     string   // the codec Python reads the file with
	futures []string // the file's __future__ features
}

// edit is the byte-range description of a site's mutation.
type edit struct {
	Span     [2]int   `json:"span"`      // replaced bytes
	Fn       [2]int   `json:"fn"`        // the offloaded callable
	FnParens bool     `json:"fn_parens"` // callable needs ( ) before a call
	Args     [][2]int `json:"args"`      // forwarded arguments, source order
	Verbatim bool     `json:"verbatim"`  // args are the call's tail: copy one slice
	Dropped  [][2]int `json:"dropped"`   // arguments the mutant drops
	Direct   bool     `json:"direct"`    // Span is the whole "await ..." expression
	Helper   string   `json:"helper"`    // "", "coro" or "future"
	// Inline: the call runs at import time (module or class body), before a
	// helper appended to the file would be defined, so the helper is an
	// immediately called lambda in place of the call.
	Inline bool `json:"inline"`
	// Stmt is the whole lines of the module-level statement holding the
	// site: what the compile check compiles; zero: the whole file.
	Stmt [2]int `json:"stmt"`
}

// FileError is a file that could not be scanned, or an offload site skipped in it.
type FileError struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// Wrapper is a project-local pass-through offload wrapper found by Discover.
type Wrapper struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Line int    `json:"line"`
}

// Result is what Discover found.
type Result struct {
	Sites    []Site      `json:"sites"`
	Errors   []FileError `json:"errors"`
	Wrappers []Wrapper   `json:"wrappers"`
}

type plainSite Site

type siteJSON struct {
	plainSite
	SHA256   string   `json:"sha256"`
	Edit     edit     `json:"edit"`
	Encoding string   `json:"encoding,omitempty"`
	Futures  []string `json:"futures,omitempty"`
}

// MarshalJSON encodes the site including the source hash and byte ranges, so a
// persisted site can still be applied.
func (s Site) MarshalJSON() ([]byte, error) {
	return json.Marshal(siteJSON{plainSite(s), s.sha256, s.edit, s.enc, s.futures})
}

// UnmarshalJSON decodes a site written by MarshalJSON.
func (s *Site) UnmarshalJSON(b []byte) error {
	var j siteJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Site(j.plainSite)
	s.sha256, s.edit, s.enc, s.futures = j.SHA256, j.Edit, j.Encoding, j.Futures
	return nil
}
