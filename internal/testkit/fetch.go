package testkit

import (
	"io"
	"net/http"
	"testing"
)

// rawClient does not decode compression: without it the transport adds an
// Accept-Encoding of its own and gunzips behind the test's back, so a test
// could not see what the server chose to send.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// Fetch sends a method request to url with header and returns the
// response (its body closed) and the body as the server sent it.
func Fetch(t testing.TB, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}
