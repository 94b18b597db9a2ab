package dist

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"io/fs"
	"time"
)

// File is one archive member.
type File struct {
	Name string
	Mode fs.FileMode
	Data []byte
}

// WriteTarGz writes files, in the given order, as a gzip-compressed tar with
// every timestamp set to mod and no owner, so the bytes depend only on the
// files.
func WriteTarGz(out io.Writer, files []File, mod time.Time) error {
	mod = mod.UTC().Truncate(time.Second)
	gz := gzip.NewWriter(out)
	gz.ModTime = mod
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg, Name: f.Name, Mode: int64(f.Mode.Perm()),
			Size: int64(len(f.Data)), ModTime: mod,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}
