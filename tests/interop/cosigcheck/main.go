// cosigcheck opens a cosigned govgate checkpoint with Go's
// golang.org/x/mod/sumdb/note, as a third party would: first with the log's
// verifier key alone (the cosignature must then be an unverified signature,
// not an error), then with a cosignature/v1 verifier written here from
// c2sp.org/tlog-cosignature (key id, timestamp, signed message), which the
// installed x/mod does not provide.
//
// Built offline against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o cosigcheck .
//
// usage: cosigcheck LOG-VERIFIER-KEY WITNESS-VKEY CHECKPOINT
// (WITNESS-VKEY: NAME+hex(key id)+base64(0x04 || Ed25519 public key))
// Prints "ok: ..." and exits 0 when both opens succeed, 1 otherwise.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type cosigV1 struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	time uint64
}

func (v *cosigV1) Name() string    { return v.name }
func (v *cosigV1) KeyHash() uint32 { return v.hash }
func (v *cosigV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	if ts > 1<<63-1 {
		return false
	}
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), msg...)
	if !ed25519.Verify(v.key, m, sig[8:]) {
		return false
	}
	v.time = ts
	return true
}

func parseCosigner(vkey string) (*cosigV1, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("witness vkey is not NAME+HASH+KEY")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, fmt.Errorf("witness vkey is not a cosignature/v1 (0x04) Ed25519 key")
	}
	h, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, fmt.Errorf("bad key hash")
	}
	// the key id, computed independently: SHA-256(name || "\n" || 0x04 || key)[:4]
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	if binary.BigEndian.Uint32(sum[:4]) != uint32(h) {
		return nil, fmt.Errorf("witness vkey's key id %08x is not SHA-256(name || \"\\n\" || 0x04 || key)[:4] = %x", h, sum[:4])
	}
	return &cosigV1{name: parts[0], hash: uint32(h), key: ed25519.PublicKey(key[1:])}, nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: cosigcheck LOG-VERIFIER-KEY WITNESS-VKEY CHECKPOINT")
		os.Exit(2)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return b
	}
	logV, err := note.NewVerifier(strings.TrimSpace(string(read(os.Args[1]))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "log key:", err)
		os.Exit(1)
	}
	w, err := parseCosigner(strings.TrimSpace(string(read(os.Args[2]))))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	msg := read(os.Args[3])
	n, err := note.Open(msg, note.VerifierList(logV))
	if err != nil {
		fmt.Fprintln(os.Stderr, "note.Open with the log key:", err)
		os.Exit(1)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) < 1 {
		fmt.Fprintf(os.Stderr, "log key alone: %d verified, %d unverified signatures\n", len(n.Sigs), len(n.UnverifiedSigs))
		os.Exit(1)
	}
	unverified := len(n.UnverifiedSigs)
	n, err = note.Open(msg, note.VerifierList(logV, w))
	if err != nil {
		fmt.Fprintln(os.Stderr, "note.Open with the log key and the cosigner:", err)
		os.Exit(1)
	}
	found := false
	for _, s := range n.Sigs {
		if s.Name == w.name && s.Hash == w.hash {
			found = true
		}
	}
	if !found {
		fmt.Fprintln(os.Stderr, "no verified cosignature by", w.name)
		os.Exit(1)
	}
	origin := strings.SplitN(n.Text, "\n", 2)[0]
	fmt.Printf("ok: %s opens with the log key (%d other signature line(s) ignored); cosignature/v1 by %s at %d verifies\n",
		origin, unverified, w.name, w.time)
}
