package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"socketlab/server/site"
)

// seriesSel is the legend entry of a series.
func seriesSel(name string) string {
	return fmt.Sprintf(`li.plot-series[data-name=%q]`, name)
}

// count reads the point count the legend shows for a series, -1 if the
// series is not listed.
func (u *user) count(name string) int {
	u.t.Helper()
	s := u.text(seriesSel(name) + " .series-count")
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// waitCount waits until the legend's count for the series satisfies ok.
func (u *user) waitCount(name, what string, ok func(int) bool) int {
	u.t.Helper()
	got := u.waitText(seriesSel(name)+" .series-count", what, func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && ok(n)
	})
	n, _ := strconv.Atoi(got)
	return n
}

// linePixels is a JavaScript expression counting the canvas pixels drawn
// in the colour of a series' legend swatch: what a person sees as its line.
func linePixels(name string) string {
	return fmt.Sprintf(`(() => {
		const sw = document.querySelector(%q);
		if (!sw) return 0;
		const [r, g, b] = getComputedStyle(sw).backgroundColor.match(/\d+/g).map(Number);
		const c = document.getElementById("plot-canvas");
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) {
			if (d[i+3] > 200 && Math.abs(d[i]-r) + Math.abs(d[i+1]-g) + Math.abs(d[i+2]-b) < 40) n++;
		}
		return n;
	})()`, seriesSel(name)+" .swatch")
}

// TestPlotDemo: out of the box the demo series is listed, drawn, and grows.
func TestPlotDemo(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{PlotDemo: true})
	u := newUser(t, "ada")
	u.open(srv.URL + "/plot")
	u.waitStatus("open")
	first := u.waitCount("demo", "demo points", func(n int) bool { return n > 0 })
	u.waitCount("demo", "the demo to grow", func(n int) bool { return n > first+5 })
	u.waitJS("the demo line on the canvas", linePixels("demo")+" > 100")
	// The readout shows points arriving and frames drawn.
	u.waitText("#plot-rate", "a receive rate", func(s string) bool { n, _ := strconv.Atoi(s); return n > 0 })
	u.waitText("#plot-fps", "a frame rate", func(s string) bool { n, _ := strconv.Atoi(s); return n > 0 })
}

// TestPlotNetcatSource: a TCP source (a plain net.Dial writing lines, as
// netcat does) shows up on two pages with its name and the exact number of
// points sent; its bad line is answered on the connection and disturbs
// neither the page nor the demo.
func TestPlotNetcatSource(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{PlotAddr: "127.0.0.1:0", PlotDemo: true})
	ada, bob := newUser(t, "ada"), newUser(t, "bob")
	for _, u := range []*user{ada, bob} {
		u.open(srv.URL + "/plot")
		u.waitStatus("open")
		u.waitCount("demo", "demo points", func(n int) bool { return n > 0 })
	}

	conn, err := net.Dial("tcp", srv.site.PlotAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const name = "lab bench"
	// x is Unix milliseconds, like `date +%s`000, so the source shares the
	// demo's time axis.
	x0 := time.Now().UnixMilli()
	var lines strings.Builder
	lines.WriteString(name + "\n")
	for i := range 40 {
		fmt.Fprintf(&lines, "%d %d\n", x0+int64(i)*100, 20+i)
	}
	lines.WriteString("40 degrees\n") // line 42: not a number
	for i := 40; i < 50; i++ {
		fmt.Fprintf(&lines, "%d %d\n", x0+int64(i)*100, 20+i)
	}
	if _, err := io.WriteString(conn, lines.String()); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if want := `error line 42: y: "degrees" is not a number`; err != nil || strings.TrimSpace(reply) != want {
		t.Fatalf("reply to the bad line: %q, %v; want %q", reply, err, want)
	}

	for _, u := range []*user{ada, bob} {
		u.waitCount(name, "the 50 points sent", func(n int) bool { return n == 50 })
		u.waitJS("the source's line on the canvas", linePixels(name)+" > 20")
		// Nothing else happened to the page: still open, no error shown,
		// the demo still growing.
		if s := u.text("#status .status-text"); s != "open" {
			t.Errorf("%s: status %q after the bad line", u.name, s)
		}
		if note := u.text("#plot-note"); note != "" {
			t.Errorf("%s: page shows %q after the bad line", u.name, note)
		}
		demo := u.count("demo")
		u.waitCount("demo", "the demo to keep growing", func(n int) bool { return n > demo })
	}
	// Both pages list the same series, in the same order.
	names := func(u *user) string { return strings.Join(u.texts("#plot-legend .series-name"), ",") }
	if a, b := names(ada), names(bob); a != "demo,"+name || a != b {
		t.Fatalf("ada sees %q, bob sees %q; want both demo,%s", a, b, name)
	}
	// The source still counts after its bad line: one more point.
	fmt.Fprintf(conn, "%d 99\n", x0+5000)
	for _, u := range []*user{ada, bob} {
		u.waitCount(name, "the 51st point", func(n int) bool { return n == 51 })
	}
}
