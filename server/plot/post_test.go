package plot

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socketlab/app/msg"
)

func post(t *testing.T, h http.Handler, target, body string, header ...string) (int, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(PostPath, h)
	req := httptest.NewRequest("POST", target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestPost(t *testing.T) {
	store := NewStore(100, 2)
	h := &PostHandler{Store: store, AllowedOrigins: []string{"*.example.org"}}

	code, body := post(t, h, "/api/plot/my%20source", "1 2\r\n\n3 4")
	if code != 200 || body != "appended 2 points to \"my source\"\n" {
		t.Fatalf("good post: %d %q", code, body)
	}
	if got := waitTotal(t, store, "my source", 2); got[1] != (msg.PlotPoint{3, 4}) {
		t.Fatalf("points %v", got)
	}

	// Bad lines: 400 with each line's number and reason; nothing appended.
	code, body = post(t, h, "/api/plot/my%20source", "5 6\nx 1\n7\n"+strings.Repeat("1", 300)+"\n8 9\n")
	want := "3 bad lines, nothing appended:\nline 2: x: \"x\" is not a number\nline 3: want two numbers \"x y\", got 1 field\nline 4: line is longer than 256 bytes\n"
	if code != 400 || body != want {
		t.Fatalf("bad post: %d %q, want 400 %q", code, body, want)
	}
	waitTotal(t, store, "my source", 2)

	// Many bad lines are summarised.
	code, body = post(t, h, "/api/plot/s", strings.Repeat("bad\n", 50))
	if code != 400 || !strings.Contains(body, "50 bad lines") || !strings.Contains(body, "… and 30 more") {
		t.Fatalf("50 bad lines: %d %q", code, body)
	}

	// The page's own origin and listed ones may post.
	for _, origin := range []string{"http://example.com", "https://plots.example.org"} {
		if code, body := post(t, h, "/api/plot/s", "1 2", "Origin", origin); code != 200 {
			t.Errorf("POST from %s: %d %q", origin, code, body)
		}
	}
	waitTotal(t, store, "s", 2)

	for _, c := range []struct {
		target, body string
		header       []string
		code         int
		reason       string
	}{
		{"/api/plot/s", "", nil, 400, "no points"},
		{"/api/plot/%20", "1 2", nil, 400, "series name is empty"},
		{"/api/plot/a%00b", "1 2", nil, 400, "control character"},
		{"/api/plot/s", strings.Repeat("1 2\n", msg.PlotMaxBody/4+1), nil, 413, "larger than 1048576 bytes"},
		{"/api/plot/s", "1 2", []string{"Origin", "http://evil.test"}, 403, "cross-origin"},
		{"/api/plot/third", "1 2", nil, 409, "too many series"},
	} {
		code, body := post(t, h, c.target, c.body, c.header...)
		if code != c.code || !strings.Contains(body, c.reason) {
			t.Errorf("POST %s: %d %q; want %d with %q", c.target, code, body, c.code, c.reason)
		}
	}
}

func ExamplePostHandler() {
	store := NewStore(0, 0)
	mux := http.NewServeMux()
	mux.Handle(PostPath, &PostHandler{Store: store})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, body := range []string{"1 10\n2 20\n", "3 30\nthree 30\n"} {
		resp, err := http.Post(srv.URL+"/api/plot/my%20source", "text/plain", strings.NewReader(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s", resp.StatusCode, b)
	}
	// Output:
	// 200 appended 2 points to "my source"
	// 400 1 bad line, nothing appended:
	// line 2: x: "three" is not a number
}
