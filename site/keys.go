package site

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"time"
)

// A Key is a digest of everything a file of the output is made from. Two
// renders that give a file the same key give it the same bytes, so an
// output that still holds the file under that key need not get it again:
// a build after a small change renders only the files the change reaches.
//
// Keys are given to the files there are many of: the pages and digests of
// incidents and maintenance windows, and the components' and months' pages.
// Each covers config.toml, the theme and what its file shows (see where
// keyer.key is called). The other files (the home page, the history and
// review lists, feeds, the API) are rendered at every build.
type Key [sha256.Size]byte

// ParseKey reads a Key written in hexadecimal.
func ParseKey(s string) (Key, bool) {
	var k Key
	if hex.DecodedLen(len(s)) != len(k) {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(s))
	return k, err == nil
}

// sourceSum adds up the Markdown files of a bundle as they are read.
type sourceSum struct{ h hash.Hash }

func newSourceSum(main *doc) *sourceSum {
	s := &sourceSum{sha256.New()}
	s.add(main)
	return s
}

func (s *sourceSum) add(d *doc) {
	io.WriteString(s.h, d.path)
	s.h.Write([]byte{0})
	s.h.Write(d.sum[:])
}

func (s *sourceSum) key() Key {
	var k Key
	s.h.Sum(k[:0])
	return k
}

// keyer makes the keys of one render: each starts from what every file
// shares, the theme and the configuration.
type keyer struct {
	base []byte
	now  time.Time
}

func newKeyer(theme, config Key, now time.Time) keyer {
	return keyer{base: append(theme[:], config[:]...), now: now}
}

// key digests kind (what the file is), the source of what it shows, the
// clock when that is still changing, and any further parts.
func (k keyer) key(kind string, source Key, live bool, parts ...string) Key {
	h := sha256.New()
	h.Write(k.base)
	io.WriteString(h, kind)
	h.Write([]byte{0})
	h.Write(source[:])
	if live {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(k.now.UnixNano())))
	}
	for _, p := range parts {
		h.Write([]byte{0})
		io.WriteString(h, p)
	}
	var out Key
	h.Sum(out[:0])
	return out
}
