// tilecheck reads a folder written by `govgate audit publish` with Go's
// golang.org/x/mod/sumdb/tlog alone, as a tlog-tiles client would: the
// checkpoint opens with sumdb/note, tlog.TileHashReader loads the tiles
// (Go's tile paths carry the height, tile/8/L/N; C2SP's drop it: tile/L/N)
// and checks each against the signed tree, the tree hash is recomputed, and
// every entry of every bundle is proved included with tlog.ProveRecord.
//
// Built offline against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tilecheck .
//
// usage: tilecheck VERIFIER-KEY DIR
// Prints "ok: ..." and exits 0 when everything verifies, 1 otherwise.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type dirReader struct{ dir string }

func (r dirReader) Height() int { return 8 }

// c2spPath turns Go's "tile/8/L/N[.p/W]" into C2SP's "tile/L/N[.p/W]".
func c2spPath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
}

func (r dirReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(r.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r dirReader) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, f+"\n", a...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tilecheck VERIFIER-KEY DIR")
		os.Exit(2)
	}
	vk, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(vk)))
	if err != nil {
		fail("verifier key: %v", err)
	}
	dir := os.Args[2]
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("bad size")
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("bad root")
	}
	tree := tlog.Tree{N: size, Hash: root}
	hr := tlog.TileHashReader(tree, dirReader{dir})
	th, err := tlog.TreeHash(size, hr)
	if err != nil {
		fail("TreeHash: %v", err)
	}
	if th != root {
		fail("tree hash %v, checkpoint %v", th, root)
	}
	// every entry of every bundle, proved included in the signed tree
	for k := int64(0); k*256 < size; k++ {
		w := size - k*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: 8, L: 0, N: k, W: int(w)}
		p := "tile/entries/" + strings.TrimPrefix(c2spPath(t), "tile/0/")
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			fail("%v", err)
		}
		for i := int64(0); i < w; i++ {
			if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
				fail("%s: short bundle at entry %d", p, k*256+i)
			}
			l := int(binary.BigEndian.Uint16(b))
			e := b[2 : 2+l]
			b = b[2+l:]
			idx := k*256 + i
			proof, err := tlog.ProveRecord(size, idx, hr)
			if err != nil {
				fail("ProveRecord(%d): %v", idx, err)
			}
			if err := tlog.CheckRecord(proof, size, root, idx, tlog.RecordHash(e)); err != nil {
				fail("%s: entry %d: CheckRecord: %v", p, idx, err)
			}
			if !strings.HasPrefix(string(e), fmt.Sprintf("{\"seq\":%d,", idx)) {
				fail("%s: entry %d has another seq", p, idx)
			}
		}
		if len(b) != 0 {
			fail("%s: %d bytes after the last entry", p, len(b))
		}
	}
	fmt.Printf("ok: %s, %d entries: tiles read by tlog.TileHashReader, tree hash and every entry proved\n", lines[0], size)
}
