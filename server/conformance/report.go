package conformance

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// groupNames are Autobahn's names for the groups.
var groupNames = map[string]string{
	"1": "Framing", "2": "Pings/Pongs", "3": "Reserved Bits", "4": "Opcodes",
	"5": "Fragmentation", "6": "UTF-8 Handling", "7": "Close Handling", "9": "Limits",
	"10": "Masking and length encodings", "12": "WebSocket Compression (different payloads)",
	"13": "WebSocket Compression (different parameters)",
}

var groupOrder = []string{"1", "2", "3", "4", "5", "6", "7", "9", "10", "12", "13"}

// Count tallies results by verdict.
func Count(rs []Result) map[Verdict]int {
	m := map[Verdict]int{}
	for _, r := range rs {
		m[r.Verdict]++
	}
	return m
}

// WriteReport writes the Markdown report: a summary, every NON-STRICT
// with its reason, and a table per group and endpoint.
func WriteReport(w io.Writer, endpoints []Endpoint, results map[string][]Result, took time.Duration) {
	fmt.Fprintf(w, "# RFC 6455 conformance\n\n")
	fmt.Fprintf(w, "Written by `make conform` (server/conformance): socketlab's own suite, organised by the groups of the\n"+
		"[Autobahn|Testsuite](https://github.com/crossbario/autobahn-testsuite), played with a raw-frame client against every\n"+
		"socket endpoint of an in-process server. Each case says what RFC 6455 (and the endpoint's protocol) expects, what the\n"+
		"server did — down to how TCP ended — and a verdict the Autobahn way: **OK**, **NON-STRICT** (allowed, not the strictest\n"+
		"reading), **FAILED**. `make test` runs the same suite and fails on any FAILED. This run took %s.\n\n", took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "| endpoint | path | cases | OK | NON-STRICT | FAILED |\n|---|---|---|---|---|---|\n")
	for _, ep := range endpoints {
		c := Count(results[ep.Name])
		fmt.Fprintf(w, "| %s | `%s` | %d | %d | %d | %d |\n", ep.Name, ep.Path, len(results[ep.Name]), c[OK], c[NonStrict], c[Failed])
	}
	fmt.Fprintf(w, "\nWhat each endpoint does with a message: casefold echoes text (the suite sends text that is already folded) and\n"+
		"closes binary with 1003; hello reads nothing (any message: 1008); chat and plot answer every text message (an error\n"+
		"envelope for what is not part of their protocol) — chat answers binary too, plot closes it with 1003; wire echoes both,\n"+
		"and with `?deflate=1` agrees to permessage-deflate (no context takeover), which groups 12 and 13 need.\n\n")

	fmt.Fprintf(w, "## NON-STRICT, and why each is acceptable\n\n")
	reasons := map[string][]string{}
	for _, ep := range endpoints {
		for _, r := range results[ep.Name] {
			if r.Verdict == NonStrict {
				reasons[r.Note] = append(reasons[r.Note], ep.Name+" "+r.Case.ID)
			}
		}
	}
	if len(reasons) == 0 {
		fmt.Fprintf(w, "None.\n\n")
	}
	notes := make([]string, 0, len(reasons))
	for n := range reasons {
		notes = append(notes, n)
	}
	sort.Strings(notes)
	for _, n := range notes {
		fmt.Fprintf(w, "- %s — %s\n", n, strings.Join(reasons[n], ", "))
	}
	fmt.Fprintln(w)

	for _, g := range groupOrder {
		fmt.Fprintf(w, "## %s %s\n\n", g, groupNames[g])
		for _, ep := range endpoints {
			var rows []Result
			for _, r := range results[ep.Name] {
				if r.Case.Group == g {
					rows = append(rows, r)
				}
			}
			if len(rows) == 0 {
				continue
			}
			fmt.Fprintf(w, "### %s — `%s`\n\n| case | sent | expected | observed | verdict |\n|---|---|---|---|---|\n", ep.Name, ep.Path)
			for _, r := range rows {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.Case.ID, cell(r.Case.Desc), cell(r.Expected), cell(r.Observed), verdictCell(r))
			}
			fmt.Fprintln(w)
		}
	}
}

func verdictCell(r Result) string {
	switch r.Verdict {
	case OK:
		return "OK"
	case NonStrict:
		return "**NON-STRICT**"
	}
	return "**FAILED**"
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	return s
}
