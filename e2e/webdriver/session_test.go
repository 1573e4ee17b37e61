package webdriver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestErrorsAndValues: a driver's answers are decoded from "value"; an
// error answer becomes an *Error naming the command and the driver's code.
func TestErrorsAndValues(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/session":
			w.Write([]byte(`{"value":{"sessionId":"s1","capabilities":{"browserName":"MiniBrowser","browserVersion":"2.50"}}}`))
		case "/session/s1/element":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"value":{"error":"no such element","message":"nothing matches"}}`))
		case "/session/s1/execute/sync":
			w.Write([]byte(`{"value":"42"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"value":{"error":"unknown command","message":"` + r.URL.Path + `"}}`))
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := NewSession(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "s1" || s.Browser != "MiniBrowser 2.50" {
		t.Fatalf("session %q, browser %q", s.ID, s.Browser)
	}
	var v string
	if err := s.Execute(ctx, "return 42", nil, &v); err != nil || v != "42" {
		t.Fatalf("execute: %v %q", err, v)
	}
	err = s.Click(ctx, "#nope")
	var we *Error
	if !errors.As(err, &we) || we.Code != "no such element" {
		t.Fatalf("click on nothing: %v", err)
	}
}
