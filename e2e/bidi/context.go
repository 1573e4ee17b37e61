package bidi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Tab is a top-level browsing context in a user context of its own: its
// cookies, storage and service workers are apart from every other Tab's.
type Tab struct {
	c           *Conn
	ID          string // the browsing context id
	UserContext string
}

// NewTab creates a user context and a tab in it.
func (c *Conn) NewTab(ctx context.Context) (*Tab, error) {
	var uc struct {
		UserContext string `json:"userContext"`
	}
	if err := c.Call(ctx, "browser.createUserContext", nil, &uc); err != nil {
		return nil, err
	}
	var bc struct {
		Context string `json:"context"`
	}
	if err := c.Call(ctx, "browsingContext.create", map[string]any{"type": "tab", "userContext": uc.UserContext}, &bc); err != nil {
		return nil, err
	}
	return &Tab{c: c, ID: bc.Context, UserContext: uc.UserContext}, nil
}

// Close closes the tab and removes its user context with all it stored.
func (t *Tab) Close(ctx context.Context) error {
	err := t.c.Call(ctx, "browsingContext.close", map[string]any{"context": t.ID}, nil)
	if err2 := t.c.Call(ctx, "browser.removeUserContext", map[string]any{"userContext": t.UserContext}, nil); err == nil {
		err = err2
	}
	return err
}

// Navigate loads url and waits until the page's load event.
func (t *Tab) Navigate(ctx context.Context, url string) error {
	return t.c.Call(ctx, "browsingContext.navigate", map[string]any{"context": t.ID, "url": url, "wait": "complete"}, nil)
}

// Reload reloads the page and waits until its load event.
func (t *Tab) Reload(ctx context.Context) error {
	return t.c.Call(ctx, "browsingContext.reload", map[string]any{"context": t.ID, "wait": "complete"}, nil)
}

// SetViewport sets the size of the page's viewport in CSS pixels.
func (t *Tab) SetViewport(ctx context.Context, width, height int) error {
	return t.c.Call(ctx, "browsingContext.setViewport", map[string]any{
		"context": t.ID, "viewport": map[string]int{"width": width, "height": height},
	}, nil)
}

// Screenshot returns a PNG of the whole document, not only the viewport.
func (t *Tab) Screenshot(ctx context.Context) ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := t.c.Call(ctx, "browsingContext.captureScreenshot", map[string]any{"context": t.ID, "origin": "document"}, &res); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		return nil, fmt.Errorf("bidi: screenshot: %w", err)
	}
	return png, nil
}

// remoteValue is the part of a BiDi RemoteValue this client reads.
type remoteValue struct {
	Type     string          `json:"type"`
	Value    json.RawMessage `json:"value,omitempty"`
	SharedID string          `json:"sharedId,omitempty"`
}

// evaluate runs expr in the page, awaiting a promise, and returns the
// remote value. A thrown exception is an error with its text.
func (t *Tab) evaluate(ctx context.Context, expr string) (remoteValue, error) {
	var res struct {
		Type             string      `json:"type"`
		Result           remoteValue `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := t.c.Call(ctx, "script.evaluate", map[string]any{
		"expression":      expr,
		"target":          map[string]string{"context": t.ID},
		"awaitPromise":    true,
		"resultOwnership": "none",
		"userActivation":  true,
	}, &res)
	if err != nil {
		return remoteValue{}, err
	}
	if res.Type == "exception" {
		return remoteValue{}, fmt.Errorf("bidi: script threw: %s", res.ExceptionDetails.Text)
	}
	return res.Result, nil
}

// EvalJSON evaluates a JavaScript expression (a promise is awaited) and
// decodes its value, passed through JSON.stringify, into out. That keeps
// BiDi's typed RemoteValue encoding out of the callers' way.
func (t *Tab) EvalJSON(ctx context.Context, expr string, out any) error {
	v, err := t.evaluate(ctx, `Promise.resolve(`+expr+`).then(v => JSON.stringify(v === undefined ? null : v))`)
	if err != nil {
		return err
	}
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return fmt.Errorf("bidi: evaluation gave %s %s, not a JSON string: %w", v.Type, v.Value, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		return fmt.Errorf("bidi: decoding %.100q: %w", s, err)
	}
	return nil
}

// element finds the first element matching css, scrolled into view.
func (t *Tab) element(ctx context.Context, css string) (string, error) {
	sel, _ := json.Marshal(css)
	v, err := t.evaluate(ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (e) e.scrollIntoView({block: "center"}); return e; })()`, sel))
	if err != nil {
		return "", err
	}
	if v.Type != "node" || v.SharedID == "" {
		return "", fmt.Errorf("bidi: no element matches %s", css)
	}
	return v.SharedID, nil
}

// Click moves the mouse to the centre of the element and clicks it with
// the left button: real input events, as a person's click.
func (t *Tab) Click(ctx context.Context, css string) error {
	id, err := t.element(ctx, css)
	if err != nil {
		return err
	}
	return t.c.Call(ctx, "input.performActions", map[string]any{
		"context": t.ID,
		"actions": []any{map[string]any{
			"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"},
			"actions": []any{
				map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": map[string]any{"type": "element", "element": map[string]string{"sharedId": id}}},
				map[string]any{"type": "pointerDown", "button": 0},
				map[string]any{"type": "pointerUp", "button": 0},
			},
		}},
	}, nil)
}

// Enter is the WebDriver key value of the Enter key.
const Enter = "\uE007"

// Type focuses the element with the caret at the end of what it holds (as
// WebDriver's Element Send Keys does), then presses a key for every
// character of text. "\n" presses Enter.
func (t *Tab) Type(ctx context.Context, css, text string) error {
	sel, _ := json.Marshal(css)
	var found bool
	if err := t.EvalJSON(ctx, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (!e) return false;
		e.focus();
		if (typeof e.value === "string" && e.setSelectionRange) e.setSelectionRange(e.value.length, e.value.length);
		return true;
	})()`, sel), &found); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("bidi: no element matches %s", css)
	}
	var keys []any
	for _, r := range text {
		k := string(r)
		if r == '\n' {
			k = Enter
		}
		keys = append(keys, map[string]string{"type": "keyDown", "value": k}, map[string]string{"type": "keyUp", "value": k})
	}
	return t.c.Call(ctx, "input.performActions", map[string]any{
		"context": t.ID,
		"actions": []any{map[string]any{"type": "key", "id": "keyboard", "actions": keys}},
	}, nil)
}
