// Package webdriver is a small client of W3C WebDriver over HTTP (the
// "classic" protocol), enough to drive WebKitGTK's WebKitWebDriver and its
// MiniBrowser from the e2e suite (socketlab/e2e). It knows nothing of
// socketlab: a Session navigates, finds elements, clicks, types, runs
// scripts and takes screenshots.
package webdriver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// elementKey is the web element identifier's key in JSON (the spec's
// constant).
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// Enter is the WebDriver key value of the Enter key.
const Enter = "\uE007"

// Session is one WebDriver session.
type Session struct {
	base string // the driver's URL, e.g. http://127.0.0.1:4444
	ID   string
	// Browser is the browser's name and version, as the driver gave them.
	Browser string
	hc      *http.Client
}

// Error is an error answer from the driver.
type Error struct {
	Command string // method and path
	Code    string // e.g. "no such element"
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("webdriver %s: %s: %s", e.Command, e.Code, e.Message)
}

// NewSession starts a session with the given alwaysMatch capabilities.
func NewSession(ctx context.Context, driverURL string, caps map[string]any) (*Session, error) {
	s := &Session{base: strings.TrimSuffix(driverURL, "/"), hc: &http.Client{}}
	var res struct {
		SessionID    string `json:"sessionId"`
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := s.do(ctx, "POST", "/session", map[string]any{"capabilities": map[string]any{"alwaysMatch": caps}}, &res); err != nil {
		return nil, err
	}
	if res.SessionID == "" {
		return nil, fmt.Errorf("webdriver: new session: no session id")
	}
	s.ID = res.SessionID
	s.Browser = res.Capabilities.BrowserName + " " + res.Capabilities.BrowserVersion
	return s, nil
}

// Status asks whether the driver is ready to create a session.
func Status(ctx context.Context, driverURL string) error {
	s := &Session{base: strings.TrimSuffix(driverURL, "/"), hc: &http.Client{}}
	var res struct {
		Ready   bool   `json:"ready"`
		Message string `json:"message"`
	}
	if err := s.do(ctx, "GET", "/status", nil, &res); err != nil {
		return err
	}
	if !res.Ready {
		return fmt.Errorf("webdriver: driver not ready: %s", res.Message)
	}
	return nil
}

// do sends one command and decodes the answer's "value" into out.
func (s *Session) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("webdriver %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.hc.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("webdriver %s %s: reading answer: %w", method, path, err)
	}
	var answer struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return fmt.Errorf("webdriver %s %s: status %d, answer %.200q: %w", method, path, res.StatusCode, data, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		json.Unmarshal(answer.Value, &e)
		return &Error{Command: method + " " + path, Code: e.Error, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(answer.Value, out); err != nil {
		return fmt.Errorf("webdriver %s %s: decoding %.200q: %w", method, path, answer.Value, err)
	}
	return nil
}

// cmd is do on a path under the session.
func (s *Session) cmd(ctx context.Context, method, path string, body, out any) error {
	return s.do(ctx, method, "/session/"+s.ID+path, body, out)
}

// Delete ends the session; the driver closes the browser.
func (s *Session) Delete(ctx context.Context) error {
	return s.do(ctx, "DELETE", "/session/"+s.ID, nil, nil)
}

// Navigate loads url and waits for it as the page load strategy says
// (by default, until the load event).
func (s *Session) Navigate(ctx context.Context, url string) error {
	return s.cmd(ctx, "POST", "/url", map[string]string{"url": url}, nil)
}

// Refresh reloads the page.
func (s *Session) Refresh(ctx context.Context) error {
	return s.cmd(ctx, "POST", "/refresh", map[string]any{}, nil)
}

// SetWindowSize sets the browser window's outer size.
func (s *Session) SetWindowSize(ctx context.Context, width, height int) error {
	return s.cmd(ctx, "POST", "/window/rect", map[string]int{"width": width, "height": height}, nil)
}

// Element finds the first element matching the CSS selector and returns
// its id.
func (s *Session) Element(ctx context.Context, css string) (string, error) {
	var res map[string]string
	if err := s.cmd(ctx, "POST", "/element", map[string]string{"using": "css selector", "value": css}, &res); err != nil {
		return "", err
	}
	return res[elementKey], nil
}

// Click clicks the element at its centre, after the driver has scrolled it
// into view and checked that nothing covers it.
func (s *Session) Click(ctx context.Context, css string) error {
	id, err := s.Element(ctx, css)
	if err != nil {
		return err
	}
	return s.cmd(ctx, "POST", "/element/"+id+"/click", map[string]any{}, nil)
}

// Type focuses the element and types text into it key by key; "\n"
// presses Enter.
func (s *Session) Type(ctx context.Context, css, text string) error {
	id, err := s.Element(ctx, css)
	if err != nil {
		return err
	}
	return s.cmd(ctx, "POST", "/element/"+id+"/value", map[string]string{"text": strings.ReplaceAll(text, "\n", Enter)}, nil)
}

// Execute runs a script body (arguments[0]… hold args) and decodes what it
// returns into out. A returned promise is awaited, as the spec says.
func (s *Session) Execute(ctx context.Context, script string, args []any, out any) error {
	if args == nil {
		args = []any{}
	}
	return s.cmd(ctx, "POST", "/execute/sync", map[string]any{"script": script, "args": args}, out)
}

// Screenshot returns a PNG of the viewport. (WebKit's screenshot of the
// root element, which would reach beyond the viewport, draws the top of
// socketlab's pages black: it mishandles the header's 100vmax box-shadow.)
func (s *Session) Screenshot(ctx context.Context) ([]byte, error) {
	var b64 string
	if err := s.cmd(ctx, "GET", "/screenshot", nil, &b64); err != nil {
		return nil, err
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("webdriver: screenshot: %w", err)
	}
	return png, nil
}
