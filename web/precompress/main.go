// Command precompress writes gzip and brotli copies of a file beside it
// (app.wasm → app.wasm.gz, app.wasm.br) at the highest compression levels.
// make build runs it once per wasm build, so the server never compresses the
// 7 MB binary at request time and the browser downloads about a sixth of it.
//
// usage: go run ./web/precompress web/dist/app.wasm
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log"
	"os"
	"sync"

	"github.com/andybalholm/brotli"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("precompress: ")
	if len(os.Args) != 2 {
		log.Fatal("usage: precompress FILE")
	}
	src, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, enc := range []struct {
		ext string
		new func(io.Writer) io.WriteCloser
	}{
		{".gz", func(w io.Writer) io.WriteCloser { z, _ := gzip.NewWriterLevel(w, gzip.BestCompression); return z }},
		{".br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, brotli.BestCompression) }},
	} {
		wg.Go(func() {
			var buf bytes.Buffer
			w := enc.new(&buf)
			if _, err := w.Write(src); err != nil {
				log.Fatal(err)
			}
			if err := w.Close(); err != nil {
				log.Fatal(err)
			}
			dst := os.Args[1] + enc.ext
			if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%s: %d bytes (%.1f%% of %d)\n", dst, buf.Len(), 100*float64(buf.Len())/float64(len(src)), len(src))
		})
	}
	wg.Wait()
}
