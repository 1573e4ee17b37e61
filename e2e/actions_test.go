package e2e

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chromedp/chromedp"
)

// setValue puts text into a field as a paste would, firing the input event
// the app listens to; typing 70 000 characters key by key would take minutes.
func setValue(css, text string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(text)
	expr := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.focus();
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, css, js)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		return chromedp.Evaluate[chromedp.Void](expr)(ctx, t)
	}
}
