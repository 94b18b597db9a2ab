package dist

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// Wheel is a platform wheel (py3-none-PLATFORM) whose only payload is one
// executable, installed as a script: NAME-VERSION.data/scripts/SCRIPT. pip,
// uv and pipx put it on the environment's PATH; no Python code is involved.
type Wheel struct {
	Name     string // distribution name, already normalized (teeth)
	Version  string // PEP 440
	Platform string // platform tag or compressed tag set
	Summary  string
	HomePage string
	Readme   []byte // the long description, Markdown
	Script   string // the executable's name on PATH
	Binary   []byte
	Modified time.Time // the timestamp of every member
}

// Filename is the wheel's file name: NAME-VERSION-py3-none-PLATFORM.whl.
func (w *Wheel) Filename() string {
	return fmt.Sprintf("%s-%s-%s.whl", w.Name, w.Version, w.tag())
}

func (w *Wheel) tag() string { return "py3-none-" + w.Platform }

func (w *Wheel) distInfo() string { return w.Name + "-" + w.Version + ".dist-info" }

// Write writes the wheel: the script, then METADATA, WHEEL and RECORD (with
// every member's sha256 and size), with fixed timestamps.
func (w *Wheel) Write(out io.Writer) error {
	files := []File{
		{Name: w.Name + "-" + w.Version + ".data/scripts/" + w.Script, Mode: 0o755, Data: w.Binary},
		{Name: w.distInfo() + "/METADATA", Mode: 0o644, Data: w.metadata()},
		{Name: w.distInfo() + "/WHEEL", Mode: 0o644, Data: w.wheelFile()},
	}
	record, err := recordFile(w.distInfo()+"/RECORD", files)
	if err != nil {
		return err
	}
	files = append(files, File{Name: w.distInfo() + "/RECORD", Mode: 0o644, Data: record})
	return writeZip(out, files, w.Modified)
}

// metadata is the core metadata (version 2.1) with the README as description.
func (w *Wheel) metadata() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n", w.Name, w.Version, w.Summary)
	if w.HomePage != "" {
		fmt.Fprintf(&b, "Home-page: %s\nProject-URL: Source, %s\n", w.HomePage, w.HomePage)
	}
	b.WriteString("Requires-Python: >=3.8\n")
	b.WriteString("Classifier: Environment :: Console\nClassifier: Topic :: Software Development :: Testing\n")
	if len(w.Readme) > 0 {
		b.WriteString("Description-Content-Type: text/markdown\n\n")
		b.Write(w.Readme)
	}
	return b.Bytes()
}

// wheelFile is the WHEEL file: one Tag line per tag of the compressed set.
func (w *Wheel) wheelFile() []byte {
	var b strings.Builder
	b.WriteString("Wheel-Version: 1.0\nGenerator: teeth tools/dist\nRoot-Is-Purelib: false\n")
	for _, p := range strings.Split(w.Platform, ".") {
		fmt.Fprintf(&b, "Tag: py3-none-%s\n", p)
	}
	return []byte(b.String())
}

// recordFile is the RECORD: path,sha256=urlsafe-base64-nopad,size per member,
// and the RECORD itself without hash or size.
func recordFile(name string, files []File) ([]byte, error) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		hash := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
		if err := cw.Write([]string{f.Name, hash, fmt.Sprint(len(f.Data))}); err != nil {
			return nil, err
		}
	}
	if err := cw.Write([]string{name, "", ""}); err != nil {
		return nil, err
	}
	cw.Flush()
	return b.Bytes(), cw.Error()
}

// writeZip writes files, in order, deflated, with unix modes and every
// timestamp set to mod.
func writeZip(out io.Writer, files []File, mod time.Time) error {
	zw := zip.NewWriter(out)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: mod.UTC().Truncate(time.Second)}
		hdr.SetMode(f.Mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}
