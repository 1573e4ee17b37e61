// Command plotbench measures the plot lab's drawing in real Chrome: it
// runs the server in-process on loopback, opens /plot in headless Chrome,
// feeds it from TCP sources at a fixed total rate (1 000 points/s by
// default) and prints, every second, what the page's readout says it
// received and drew, and at the end whether every point arrived.
//
//	go run ./e2e/plotbench                       # 1 000 points/s over 4 series, 20 s
//	go run ./e2e/plotbench -rate 5000 -series 8 -for 30s -shot plot.png
//
// It is a measuring tool, not a test: nothing here passes or fails on
// speed. Build the wasm first (make build). Loopback only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"socketlab/server/site"
)

func main() {
	rate := flag.Int("rate", 1000, "total `points/s` across all series")
	nseries := flag.Int("series", 4, "number of TCP sources, one series each")
	dur := flag.Duration("for", 20*time.Second, "how long to feed")
	shot := flag.String("shot", "", "write a PNG screenshot of the page at the end to `file`")
	demo := flag.Bool("demo", false, "also run the demo source")
	compare := flag.Bool("compare", false, "afterwards, compare canvas and SVG drawing of the same paths in the same tab")
	flag.Parse()
	if err := run(*rate, *nseries, *dur, *shot, *demo, *compare); err != nil {
		fmt.Fprintln(os.Stderr, "plotbench:", err)
		os.Exit(1)
	}
}

func run(rate, nseries int, dur time.Duration, shot string, demo, compare bool) error {
	srv, err := site.New(site.Config{
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		PlotAddr: "127.0.0.1:0",
		PlotDemo: demo,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go srv.Serve(ctx, ln)
	url := "http://" + ln.Addr().String() + "/plot"

	chrome, err := findChrome()
	if err != nil {
		return err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil { // start Chrome and open the tab
		return fmt.Errorf("starting Chrome: %w", err)
	}
	// Only now a timeout: cancelling the context that opened the tab
	// would close it.
	tctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
	if err := chromedp.Do(tctx,
		chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`document.getElementById("app-wasm-loader") === null && document.querySelector("#status .status-text")?.innerText === "open"`),
	); err != nil {
		cancelT()
		return fmt.Errorf("opening %s: %w", url, err)
	}
	cancelT()
	fmt.Printf("plotbench: %d points/s over %d series for %v; Chrome %s\n", rate, nseries, dur, chrome)

	// Producers: each writes its share every 10 ms, as netcat would pipe it.
	sent := make([]int, nseries)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range nseries {
		conn, err := net.Dial("tcp", srv.PlotAddr())
		if err != nil {
			return err
		}
		defer conn.Close()
		fmt.Fprintf(conn, "source %d\n", i)
		wg.Go(func() {
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			var b strings.Builder
			for now := range tick.C {
				elapsed := now.Sub(start)
				if elapsed > dur {
					return
				}
				// Catch up to the schedule rather than drift.
				due := int(elapsed.Seconds()*float64(rate)/float64(nseries)) - sent[i]
				b.Reset()
				for range due {
					x := start.UnixMilli() + int64(sent[i])*1000*int64(nseries)/int64(rate)
					// A sine per series, a little noise: readable on screen.
					y := 5000 + 4000*math.Sin(float64(x)/2000+float64(i)) + float64((sent[i]*7919)%500)
					fmt.Fprintf(&b, "%d %.1f\n", x, y)
					sent[i]++
				}
				if _, err := io.WriteString(conn, b.String()); err != nil {
					return
				}
			}
		})
	}

	read := func(css string) float64 {
		v, _ := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q)||{innerText:""}).innerText`, css)))
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	// The browser's own animation-frame rate, for comparison with the
	// page's frames/s: counted by a bare requestAnimationFrame loop.
	chromedp.Run(bctx, chromedp.Evaluate[chromedp.Void](`window.__rafs = 0; (function f() { window.__rafs++; requestAnimationFrame(f); })()`))
	rafs := func() float64 {
		v, _ := chromedp.Run(bctx, chromedp.Evaluate[float64](`window.__rafs`))
		return v
	}
	lastRAF := rafs()
	fmt.Println("   t   received/s   drawn/s   frames/s   draw ms   points shown   browser rAF/s")
	var sumRecv, sumDrawn, sumFPS, sumMS float64
	var samples int
	for t := time.Second; t <= dur; t += time.Second {
		time.Sleep(time.Until(start.Add(t)))
		r, d, f, ms, shown := read("#plot-rate"), read("#plot-drawn"), read("#plot-fps"), read("#plot-draw-ms"), read("#plot-shown")
		nowRAF := rafs()
		fmt.Printf("%4.0fs %11.0f %9.0f %10.0f %9.1f %14.0f %15.0f\n", t.Seconds(), r, d, f, ms, shown, nowRAF-lastRAF)
		lastRAF = nowRAF
		if t > 2*time.Second { // past the ramp-up
			sumRecv, sumDrawn, sumFPS, sumMS = sumRecv+r, sumDrawn+d, sumFPS+f, sumMS+ms
			samples++
		}
	}
	wg.Wait()

	// Every point sent must be counted on the page.
	total := 0
	for _, n := range sent {
		total += n
	}
	deadline := time.Now().Add(10 * time.Second)
	var counts []int
	for {
		counts = counts[:0]
		ok := true
		for i := range nseries {
			n := int(read(fmt.Sprintf(`li.plot-series[data-name="source %d"] .series-count`, i)))
			counts = append(counts, n)
			ok = ok && n == sent[i]
		}
		if ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	dropped, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.getElementById("plot-dropped")||{innerText:"none"}).innerText`))
	if samples > 0 {
		n := float64(samples)
		fmt.Printf("mean after ramp-up: received %.0f/s, drawn %.0f/s, %.0f frames/s, %.2f ms per frame (target %d/s)\n",
			sumRecv/n, sumDrawn/n, sumFPS/n, sumMS/n, rate)
	}
	fmt.Printf("sent %d points; page counts %v (sent %v); dropped: %s\n", total, counts, sent, dropped)

	if compare {
		if err := compareRenderers(bctx); err != nil {
			return err
		}
	}
	if shot != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			return err
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			return err
		}
		fmt.Println("screenshot:", shot)
	}
	return nil
}

func findChrome() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chrome or Chromium on PATH")
}

// compareJS draws the same paths (S series of V vertices, regenerated every
// frame) with canvas 2D (one Path2D per series) and with SVG (the d
// attribute of one <path> per series), each for ms milliseconds of
// animation frames, and reports the frames achieved and the script time
// per frame. SVG's rendering happens after the script, so its cost shows
// in the frame rate rather than in the script time.
const compareJS = `(async () => {
	const W = 900, H = 380, results = [];
	const paths = (S, V, t) => {
		const out = [];
		for (let s = 0; s < S; s++) {
			let d = "";
			for (let i = 0; i < V; i++) {
				d += (i ? "L" : "M") + (i * W / V).toFixed(1) + " " + (H / 2 + H / 3 * Math.sin(i / 20 + s + t)).toFixed(1);
			}
			out.push(d);
		}
		return out;
	};
	const box = document.createElement("div");
	document.body.prepend(box);
	for (const [S, V] of [[4, 3600], [4, 10000], [32, 3600]]) {
		for (const kind of ["canvas", "svg"]) {
			box.replaceChildren();
			let draw;
			if (kind === "canvas") {
				const cv = document.createElement("canvas");
				cv.width = W; cv.height = H; box.append(cv);
				const c = cv.getContext("2d");
				draw = ds => { c.clearRect(0, 0, W, H); for (const d of ds) c.stroke(new Path2D(d)); };
			} else {
				const ns = "http://www.w3.org/2000/svg";
				const svg = document.createElementNS(ns, "svg");
				svg.setAttribute("width", W); svg.setAttribute("height", H); box.append(svg);
				const ps = [];
				for (let s = 0; s < S; s++) {
					const p = document.createElementNS(ns, "path");
					p.setAttribute("fill", "none"); p.setAttribute("stroke", "#2f7ed8");
					svg.append(p); ps.push(p);
				}
				draw = ds => ds.forEach((d, i) => ps[i].setAttribute("d", d));
			}
			let frames = 0, busy = 0;
			const t0 = performance.now();
			while (performance.now() - t0 < 3000) {
				await new Promise(r => requestAnimationFrame(r));
				const ds = paths(S, V, frames / 10);
				const a = performance.now();
				draw(ds);
				busy += performance.now() - a;
				frames++;
			}
			results.push(kind + " " + S + " series x " + V + " vertices: " +
				(frames / ((performance.now() - t0) / 1000)).toFixed(1) + " frames/s, " + (busy / frames).toFixed(2) + " ms script per frame");
		}
	}
	box.remove();
	return results.join("\n");
})()`

func compareRenderers(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](compareJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	fmt.Println("canvas vs SVG, same paths, same tab:")
	fmt.Println(out)
	return nil
}
