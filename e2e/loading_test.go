package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"socketlab/server/site"
)

// recordLoading runs in the page before any of its scripts: it notes every
// percentage go-app's loader shows, and whether the pre-rendered heading is
// visible (not under the loader) once the document is parsed.
const recordLoading = `
window.__progress = [];
document.addEventListener("DOMContentLoaded", () => {
	const label = document.getElementById("app-wasm-loader-label");
	const h1 = document.querySelector("main h1");
	window.__prerender = {heading: h1 ? h1.innerText : "", visible: false, loader: !!label};
	if (h1) {
		const r = h1.getBoundingClientRect();
		window.__prerender.visible = h1.contains(document.elementFromPoint(r.left + 10, r.top + r.height / 2));
	}
	if (!label) {
		return;
	}
	const record = () => {
		const m = /(\d+)%/.exec(label.textContent);
		if (m) window.__progress.push(Number(m[1]));
	};
	record();
	new MutationObserver(record).observe(label, {childList: true, characterData: true, subtree: true});
});`

// TestLoading opens a page for the first time on a phone, with app.wasm
// throttled to 1 MB/s so the download takes a visible while: the
// pre-rendered page is readable under the loader, the loader counts up to
// 100 % and never past it, and the app then takes over.
func TestLoading(t *testing.T) {
	t.Parallel()
	srv := startServer(t, site.Config{})
	u := newUser(t, "ada")
	u.do("set up", viewport(375, 812), colorScheme("light"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordLoading}); err != nil {
				return err
			}
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{
					URLPattern: srv.URL + "/web/app.wasm", DownloadThroughput: 1 << 20, UploadThroughput: -1,
				}},
			})
			return err
		}))
	u.do("open /casefold", chromedp.Navigate(srv.URL+"/casefold"))
	u.waitJS("the loader to show progress", `window.__progress.some(p => p > 0 && p < 100)`)
	if !u.evalBool(`!!document.getElementById("app-wasm-loader")`) {
		t.Fatal("no loader while app.wasm downloads")
	}
	u.screenshot("loading-casefold-375-light")
	u.waitWasm()

	ctx, cancel := context.WithTimeout(u.ctx, 10*time.Second)
	defer cancel()
	type prerender struct {
		Heading string
		Visible bool
		Loader  bool
	}
	pre, err := chromedp.Run(ctx, chromedp.Evaluate[prerender](`window.__prerender`))
	if err != nil {
		t.Fatal(err)
	}
	if !pre.Loader || !strings.Contains(pre.Heading, "Casefold") || !pre.Visible {
		t.Errorf("before the wasm ran: loader %v, heading %q, heading visible %v; want the pre-rendered page readable beside the loader",
			pre.Loader, pre.Heading, pre.Visible)
	}
	progress, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`window.__progress`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loader showed %d progress steps", len(progress))
	between := 0
	for i, p := range progress {
		if p > 100 || p < 0 {
			t.Errorf("loader showed %d%%: WasmContentLength does not match the decoded app.wasm", p)
		}
		if i > 0 && p < progress[i-1] {
			t.Errorf("progress went back from %d%% to %d%%", progress[i-1], p)
		}
		if p > 0 && p < 100 {
			between++
		}
	}
	if len(progress) == 0 || progress[len(progress)-1] != 100 || between < 3 {
		t.Errorf("progress %v: want a count from 0 to 100 with steps between", progress)
	}
	u.waitStatus("open")
	u.checkConsole()
}
