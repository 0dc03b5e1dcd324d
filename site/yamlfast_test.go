package site

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// flatYAMLCases are front matter the fast path must read exactly as
// go-yaml does, or leave to it. Each is tried as written and with CRLF
// line endings (parseDoc normalizes those before parseYAML sees them).
var flatYAMLCases = []string{
	// What responders write.
	"title: Checkout API down\nseverity: sev1\ncomponents: [checkout-api, hosted-checkout]\nstarted: 2026-09-03T14:07:00Z\n",
	"at: 2026-09-03T14:16:00Z\nstatus: investigating\nimpact:\n  checkout-api: major_outage\n  hosted-checkout: major_outage\nnext_update: 2026-09-03T14:45:00Z\n",
	"at: 2026-09-03 14:16:00Z\nstatus: identified\nimpact: {checkout-api: partial_outage, webhooks: operational}\n",
	"title: Payments, refunds and payouts delayed\nresponders:\n  - Marcus Okafor\n  - Aiko Tanaka\ntags:\n- database\n- failover\n",
	"commander: Priya Raman\nresponders: [Marcus Okafor, Tomás Herrera]\npublic: false\naudiences: [it-team]\n",
	// Quotes.
	"title: \"Checkout API: elevated errors\"\n",
	"title: 'Checkout API: elevated errors'\n",
	"title: \"\"\n",
	"title: ''\n",
	"title: \"say \\\"hi\\\"\"\n",
	"title: 'it''s down'\n",
	"title: \"a\" # comment\n",
	"title: \"unclosed\n",
	"title: \"two\nlines\"\n",
	"title: 'C:\\path'\n",
	"next_update: \"2026-09-03T15:00:00Z\"\n",
	"title: \"a # not a comment\"\n",
	// Colons in values.
	"title: Checkout API: elevated errors\n",
	"title: see https://status.example/x?y=1\n",
	"title: at 14:05 UTC\n",
	"title: ends with colon:\n",
	"title: a :b\n",
	"title:no space\n",
	"title : spaced key\n",
	"impact: {api:major_outage}\n",
	"impact: {api: major_outage, api: operational}\n",
	"links: [https://a.example/x]\n",
	// Comments.
	"# leading comment\ntitle: x\n",
	"title: x # trailing comment\n",
	"title: x#not-a-comment\n",
	"title: # only a comment\n",
	"title: x\n  # indented comment\nseverity: sev2\n",
	"impact:\n  # which ones\n  api: major_outage\n",
	"tags: [a, b] # comment\n",
	"tags:\n  - a # first\n  - b\n",
	// Lists.
	"tags: []\n",
	"tags: [ ]\n",
	"tags: [a, , b]\n",
	"tags: [a, b,]\n",
	"tags: [~, null]\n",
	"tags: [\"a\", 'b']\n",
	"tags: [a, [b]]\n",
	"tags: [a b, c-d, e_f, 1, 2.5, true]\n",
	"tags:\n  - a\n  - b\n    - c\n",
	"tags:\n  - a\n   - b\n",
	"tags:\n  - a\n    continued\n",
	"tags:\n  -\n  - b\n",
	"tags:\n  - \n",
	"tags:\n  - key: value\n",
	"tags:\n  - [a, b]\n",
	"tags:\n- a\n- b\nseverity: sev3\n",
	"tags:\n  - a\n  b: c\n",
	"tags: [a,\n  b]\n",
	// Nested maps.
	"extra:\n  ticket: INC-1\n  customer_reports: 12\n",
	"extra:\n  links:\n    - https://wiki.example/x\n",
	"extra:\n  deep:\n    deeper: x\n",
	"extra:\n  a: 1\n  a: 2\n",
	"extra:\n  a:\n  b: 2\n",
	"extra:\n  a: 1\n b: 2\n",
	"extra: {}\n",
	"extra:\n    a: 1\n    b: 2\n",
	"action_items:\n  - title: Fix it\n    owner: Aiko\n",
	// Empty values and nulls.
	"eta:\n",
	"eta: \n",
	"eta: ~\n",
	"eta: null\n",
	"eta: Null\n",
	"eta: NULL\n",
	"eta: nil\n",
	"title: x\neta:\nseverity: sev4\n",
	"",
	"\n\n",
	"# only comments\n",
	// Scalars YAML would type: herald keeps the text.
	"public: no\n",
	"public: yes\n",
	"public: TRUE\n",
	"count: 0x1F\n",
	"count: 1_000\n",
	"value: .inf\n",
	"value: .nan\n",
	"value: ...\n",
	"value: <<\n",
	"value: =\n",
	"1: one\n",
	"null: x\n",
	"true: x\n",
	"on: x\n",
	// Indicators and other YAML.
	"title: - dash\n",
	"title: ? question\n",
	"title: &anchor x\nother: *anchor\n",
	"title: !!str 123\n",
	"title: |\n  block\n",
	"title: >-\n  folded\n",
	"title: @at\n",
	"title: `tick\n",
	"title: %percent\n",
	"? complex\n: key\n",
	"<<: {a: b}\n",
	"---\ntitle: x\n",
	"title: x\n---\n",
	"title: x\n...\n",
	"%YAML 1.2\n---\ntitle: x\n",
	"title: x\n  continued\n",
	"title:\n  on the next line\n",
	"title: x\n  sub: y\n",
	"  title: indented\n",
	"title: x\ntitle: y\n",
	"title: a: b\n",
	"title: x\n\tseverity: sev1\n",
	"title: tab\there\n",
	"title: [unclosed\n",
	"title: {unclosed\n",
	"title: x]\n",
	"title: Fix [urgent] now, {maybe}\n",
	"title: plain \"with\" quotes\n",
	"title: plain 'with' quotes\n",
	"title: back\\slash\n",
	"-key: x\n",
	"ke y: x\n",
	"key-with-dash: x\nkey_with_underscore: y\nKEY: z\n",
	strings.Repeat("k", 80) + ": long key\n",
	"title: " + strings.Repeat("long ", 300) + "\n",
	// Unicode.
	"title: Paiements échoués — carte 3-D Secure\n",
	"title: 支払いの遅延\n",
	"title: emoji 🔥 fire\n",
	"title: nbsp\u00a0here\n",
	"title: nel\u0085here\n",
	"title: ls\u2028here\n",
	"title: bom\ufeffhere\n",
	"title: bad \xff utf8\n",
	"title: ctl \x01 char\n",
	"title: del \x7f char\n",
	"\ufefftitle: bom first\n",
	// Trailing spaces and blank lines.
	"title: x   \nseverity: sev1  \n",
	"\n\ntitle: x\n\n\nseverity: sev1\n",
	"title: x\n   \nseverity: sev1\n",
	"impact:\n\n  api: major_outage\n",
	"title: x",
	"tags: [a, b]   \n",
	"impact:   \n  api: x\n",
}

func TestParseFlatYAMLMatchesGoYAML(t *testing.T) {
	fast := 0
	for _, src := range flatYAMLCases {
		for _, variant := range []string{src, strings.ReplaceAll(src, "\n", "\r\n")} {
			// parseYAML sees front matter after normalize, as parseDoc gives it.
			in := normalize([]byte(variant))
			if compareFlatYAML(t, in) {
				fast++
			}
		}
	}
	// The corpus is mostly tricky input the fast path leaves alone; make
	// sure it does take the common cases.
	if fast < 40 {
		t.Errorf("fast path took only %d of the %d inputs", fast, 2*len(flatYAMLCases))
	}
}

// TestParseFlatYAMLSample checks every front matter of the shipped sample
// and the test content.
func TestParseFlatYAMLSample(t *testing.T) {
	for _, root := range []string{"../content", "testdata"} {
		err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
				return err
			}
			b, err := fs.ReadFile(os.DirFS(root), p)
			if err != nil {
				return err
			}
			text := normalize(b)
			first, rest, _ := strings.Cut(text, "\n")
			if strings.TrimRight(first, " \t") != "---" {
				return nil
			}
			if fm, _, ok := strings.Cut(rest, "\n---"); ok {
				compareFlatYAML(t, fm+"\n")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzParseFlatYAML checks that whatever the fast path accepts, go-yaml
// reads the same way.
func FuzzParseFlatYAML(f *testing.F) {
	for _, src := range flatYAMLCases {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		compareFlatYAML(t, src)
	})
}

// compareFlatYAML reports whether the fast path took src, and fails t when
// its result differs from go-yaml's.
func compareFlatYAML(t *testing.T, src string) bool {
	t.Helper()
	got, ok := parseFlatYAML(src)
	if !ok {
		return false
	}
	want, err := parseYAMLFull(src)
	if err != nil {
		t.Errorf("fast path read %q, go-yaml fails: %v", src, err)
		return true
	}
	if d := diffNodes(got, want, ""); d != "" {
		t.Errorf("fast path reads %q differently from go-yaml: %s", src, d)
	}
	return true
}

func diffNodes(a, b *node, at string) string {
	if a.kind != b.kind || a.line != b.line || a.str != b.str || a.native != b.native {
		return fmt.Sprintf("%s: got {kind %d line %d %q}, go-yaml {kind %d line %d %q}", at, a.kind, a.line, a.str, b.kind, b.line, b.str)
	}
	if len(a.list) != len(b.list) {
		return fmt.Sprintf("%s: got %d items, go-yaml %d", at, len(a.list), len(b.list))
	}
	for i := range a.list {
		if d := diffNodes(a.list[i], b.list[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
			return d
		}
	}
	if strings.Join(a.keys, ",") != strings.Join(b.keys, ",") || (a.vals == nil) != (b.vals == nil) {
		return fmt.Sprintf("%s: got keys %q, go-yaml %q", at, a.keys, b.keys)
	}
	for _, k := range a.keys {
		if d := diffNodes(a.vals[k], b.vals[k], at+"."+k); d != "" {
			return d
		}
	}
	return ""
}

// TestParseFlatYAMLRandom compares the fast path with go-yaml on front
// matter stitched at random from pieces that matter to YAML.
func TestParseFlatYAMLRandom(t *testing.T) {
	n := 5000
	if s := os.Getenv("HERALD_FLATYAML_CASES"); s != "" {
		fmt.Sscan(s, &n)
	}
	var (
		r       = rand.New(rand.NewPCG(1, 2))
		indents = []string{"", "", "", "", "", "  ", "  ", "  ", "    ", " ", "- ", "  - ", "  - ", "    - "}
		keys    = []string{"title", "status", "impact", "a", "k-1", "K_2", "1", "null", "-x", "a b", "\"q\""}
		seps    = []string{": ", ": ", ":", ":  ", " : ", ":\t"}
		atoms   = []string{"x", "x", "x", "word", "word", "a b", "a b", "x y z", "[a, b]", "{a: b}", "'s'", "\"t\"", "14:05", ":", ": ", " #c", "#", "'", "\"", "[", "]", "{", "}", ",", ", ", "-", "- ", "~", "null", "  ", "é", "\\", "?", "&a", "*a", "!t", "|", ">", "%", "@", "`", "...", "---", "[a, b]", "{a: b}", "\"q: r\"", "'s'", "true", "2026-11-27T14:05:00Z"}
		fast    = 0
	)
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(5) {
			b.WriteString(indents[r.IntN(len(indents))])
			if r.IntN(4) > 0 {
				b.WriteString(keys[r.IntN(len(keys))])
				b.WriteString(seps[r.IntN(len(seps))])
			}
			for range r.IntN(4) {
				b.WriteString(atoms[r.IntN(len(atoms))])
			}
			b.WriteString("\n")
		}
		if compareFlatYAML(t, b.String()) {
			fast++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("fast path took %d of %d", fast, n)
}
