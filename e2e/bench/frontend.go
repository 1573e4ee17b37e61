package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"socketlab/web"
)

// readyScript records, in the page's own clock, when go-app removes the
// loader: the moment the WebAssembly has taken over the pre-rendered page.
const readyScript = `window.__wasmReady = 0;
new MutationObserver((_, obs) => {
  if (document.readyState !== "loading" && !document.getElementById("app-wasm-loader")) {
    window.__wasmReady = performance.now(); obs.disconnect();
  }
}).observe(document, {childList: true, subtree: true});`

func benchFrontend(ctx context.Context, cfg config) (*section, error) {
	assets, err := web.Load()
	if err != nil {
		return nil, err
	}
	s := &section{title: "Frontend size and load time", header: []string{"measure", "value", "target"}}
	raw, gz, br := len(assets.WasmBytes("")), len(assets.WasmBytes("gzip")), len(assets.WasmBytes("br"))
	mb := func(n int) string { return fmt.Sprintf("%.2f MB (%d bytes)", float64(n)/1e6, n) }
	s.rows = append(s.rows,
		[]string{"app.wasm raw", mb(raw), ""},
		[]string{"app.wasm gzip (best)", mb(gz), ""},
		[]string{"app.wasm brotli (q11)", mb(br), fmt.Sprintf("≤ %.1f MB — ", float64(web.WasmBudget)/1e6) + verdict(br <= web.WasmBudget)},
	)

	chrome := findChrome()
	if chrome == "" {
		s.notes = append(s.notes, "No Chrome found: load times not measured.")
		return s, nil
	}
	addr, stop, err := startSocketlab(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	url := "http://" + addr + "/"
	if err := checkLoopback(url); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome),
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		return nil, err
	}
	runs := 5
	if cfg.quick {
		runs = 2
	}
	var coldPaint, coldReady, warmPaint, warmReady []float64
	for range runs {
		tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
		if err := chromedp.Do(tctx); err != nil {
			cancel()
			return nil, err
		}
		if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: readyScript}); err != nil {
			cancel()
			return nil, err
		}
		for i, visit := range []string{"cold", "warm"} {
			if i == 0 {
				err = chromedp.Do(tctx, chromedp.Navigate(url))
			} else {
				// Wait for the service worker to own the page, so the
				// warm visit is served from its cache.
				if _, err = chromedp.Run(tctx, chromedp.Poll[chromedp.Void](`navigator.serviceWorker.controller !== null`,
					chromedp.WithPollingTimeout(20*time.Second))); err == nil {
					err = chromedp.Do(tctx, chromedp.Reload())
				}
			}
			if err != nil {
				cancel()
				return nil, fmt.Errorf("%s visit: %w", visit, err)
			}
			ready, err := chromedp.Run(tctx, chromedp.Poll[float64](`window.__wasmReady`, chromedp.WithPollingTimeout(30*time.Second)))
			if err != nil {
				cancel()
				return nil, fmt.Errorf("%s visit: waiting for the wasm: %w", visit, err)
			}
			paint, err := chromedp.Run(tctx, chromedp.Evaluate[float64](
				`(performance.getEntriesByName("first-contentful-paint")[0] || {startTime: 0}).startTime`))
			if err != nil {
				cancel()
				return nil, err
			}
			if visit == "cold" {
				coldPaint, coldReady = append(coldPaint, paint), append(coldReady, ready)
			} else {
				warmPaint, warmReady = append(warmPaint, paint), append(warmReady, ready)
			}
		}
		cancel()
	}
	med := func(v []float64) string {
		slices.Sort(v)
		return fmt.Sprintf("%.0f ms", v[len(v)/2])
	}
	s.rows = append(s.rows,
		[]string{"first contentful paint, cold (pre-rendered page)", med(coldPaint), ""},
		[]string{"wasm took over, cold", med(coldReady), ""},
		[]string{"first contentful paint, warm (service worker cache)", med(warmPaint), ""},
		[]string{"wasm took over, warm", med(warmReady), ""},
	)
	s.notes = append(s.notes, fmt.Sprintf("Load times are medians of %d runs in headless Chromium over loopback, from navigation start; "+
		"cold = a fresh browser profile, warm = a reload once the service worker controls the page.", runs))
	return s, nil
}
