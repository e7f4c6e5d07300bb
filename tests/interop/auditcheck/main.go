// auditcheck checks govgate audit evidence with Go's golang.org/x/mod/sumdb
// packages alone, as a third party would: the checkpoint signature
// (sumdb/note), an inclusion proof in c2sp.org/tlog-proof form, a
// consistency proof, and the root of an exported log (sumdb/tlog).
//
// Built offline against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o auditcheck .
//
// usage: auditcheck VERIFIER-KEY CHECKPOINT INCLUSION-PROOF CONSISTENCY-PROOF OLD-CHECKPOINT EXPORT
// Exits 0 when everything verifies, 1 (with the reason) otherwise.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return checkpoint{}, fmt.Errorf("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("bad root hash: %v", err)
	}
	if lines[0] != v.Name() {
		return checkpoint{}, fmt.Errorf("origin %q is not the key name %q", lines[0], v.Name())
	}
	return checkpoint{lines[0], size, root}, nil
}

// proof parses the tlog-proof layout: header, optional "extra", "index N"
// (or "old N"), hashes, a blank line, then the checkpoint note verbatim.
func proof(data []byte, header, keyword string) (extra []byte, n int64, hashes []tlog.Hash, cp []byte, err error) {
	s := string(data)
	blank := strings.Index(s, "\n\n")
	if blank < 0 {
		return nil, 0, nil, nil, fmt.Errorf("no blank line")
	}
	lines := strings.Split(s[:blank], "\n")
	cp = []byte(s[blank+2:])
	if lines[0] != header {
		return nil, 0, nil, nil, fmt.Errorf("header %q", lines[0])
	}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		if extra, err = base64.StdEncoding.DecodeString(lines[0][6:]); err != nil {
			return nil, 0, nil, nil, err
		}
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], keyword+" ") {
		return nil, 0, nil, nil, fmt.Errorf("no %s line", keyword)
	}
	if n, err = strconv.ParseInt(lines[0][len(keyword)+1:], 10, 64); err != nil {
		return nil, 0, nil, nil, err
	}
	for _, l := range lines[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return nil, 0, nil, nil, err
		}
		hashes = append(hashes, h)
	}
	return extra, n, hashes, cp, nil
}

func run(args []string) error {
	if len(args) != 6 {
		return fmt.Errorf("usage: auditcheck VKEY CHECKPOINT INCLUSION CONSISTENCY OLD-CHECKPOINT EXPORT")
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return b
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(read(args[0]))))
	if err != nil {
		return fmt.Errorf("NewVerifier: %v", err)
	}
	latest, err := openCheckpoint(read(args[1]), v)
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}

	// inclusion: the entry travels as the proof's extra data
	entry, index, path, cpmsg, err := proof(read(args[2]), "c2sp.org/tlog-proof@v1", "index")
	if err != nil {
		return fmt.Errorf("inclusion proof: %v", err)
	}
	cp, err := openCheckpoint(cpmsg, v)
	if err != nil {
		return fmt.Errorf("inclusion proof checkpoint: %v", err)
	}
	if err := tlog.CheckRecord(tlog.RecordProof(path), cp.size, cp.root, index, tlog.RecordHash(entry)); err != nil {
		return fmt.Errorf("CheckRecord(%d in %d): %v", index, cp.size, err)
	}

	// consistency from an older checkpoint the auditor kept
	_, oldSize, tpath, cpmsg, err := proof(read(args[3]), "govgate.dev/consistency-proof@v1", "old")
	if err != nil {
		return fmt.Errorf("consistency proof: %v", err)
	}
	cp, err = openCheckpoint(cpmsg, v)
	if err != nil {
		return fmt.Errorf("consistency proof checkpoint: %v", err)
	}
	old, err := openCheckpoint(read(args[4]), v)
	if err != nil {
		return fmt.Errorf("old checkpoint: %v", err)
	}
	if old.size != oldSize {
		return fmt.Errorf("consistency proof is from %d, the old checkpoint is for %d", oldSize, old.size)
	}
	if err := tlog.CheckTree(tlog.TreeProof(tpath), cp.size, cp.root, old.size, old.root); err != nil {
		return fmt.Errorf("CheckTree(%d -> %d): %v", old.size, cp.size, err)
	}

	// the whole exported log: one entry per line, hashed as stored
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	sc := bufio.NewScanner(bytes.NewReader(read(args[5])))
	sc.Buffer(make([]byte, 1<<20), 2<<20)
	var n int64
	for sc.Scan() {
		hs, err := tlog.StoredHashes(n, sc.Bytes(), reader)
		if err != nil {
			return err
		}
		stored = append(stored, hs...)
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if n < latest.size {
		return fmt.Errorf("export has %d entries, the checkpoint %d", n, latest.size)
	}
	root, err := tlog.TreeHash(latest.size, reader)
	if err != nil {
		return err
	}
	if root != latest.root {
		return fmt.Errorf("export root %v != checkpoint root %v", root, latest.root)
	}
	fmt.Printf("ok: checkpoint %s/%d, inclusion of %d, consistency %d -> %d, export of %d entries\n",
		latest.origin, latest.size, index, old.size, cp.size, n)
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "auditcheck:", err)
		os.Exit(1)
	}
}
