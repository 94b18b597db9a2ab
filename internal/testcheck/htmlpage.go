package testcheck

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Payload is a file view's payload in teeth's HTML report, decoded: the
// HTML of its site lines, the file's number of lines, and the windows of
// source lines around its sites, each as its first line and its text.
type Payload struct {
	HTML    string   `json:"html"`
	Lines   int      `json:"n"`
	Windows [][2]any `json:"w"`
}

// DecodePayload decodes a payload from its base64 (of gzipped JSON).
func DecodePayload(b64 string) (*Payload, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var p Payload
	if err := json.Unmarshal(text, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

var payloadAttr = regexp.MustCompile(`data-gz="([^"]*)"`)

// HTMLPayloads returns an HTML report with each file view's payload decoded
// in place of its base64: the HTML of its site lines, then, with source,
// its source windows as the text they are (the page's script sets them as
// text, never as HTML).
func HTMLPayloads(page []byte, source bool) (string, error) {
	var err error
	out := payloadAttr.ReplaceAllStringFunc(string(page), func(attr string) string {
		p, perr := DecodePayload(attr[len(`data-gz="`) : len(attr)-1])
		if perr != nil {
			err = perr
			return attr
		}
		var b strings.Builder
		fmt.Fprintf(&b, "data-gz=(decoded)>\n<!-- payload: the site lines -->\n%s<!-- the source: %d lines, %d windows -->\n", p.HTML, p.Lines, len(p.Windows))
		for _, w := range p.Windows {
			if source {
				fmt.Fprintf(&b, "<!-- from line %v -->\n%s\n", w[0], w[1])
			}
		}
		b.WriteString("<!-- end of payload --")
		return b.String()
	})
	return out, err
}
