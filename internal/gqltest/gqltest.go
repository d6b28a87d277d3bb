// Package gqltest sends real GraphQL documents over HTTP in tests and decodes the responses.
package gqltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Client posts GraphQL requests to an endpoint.
type Client struct {
	URL string
	// Header is added to every request (e.g. Authorization).
	Header http.Header
}

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Response is a decoded GraphQL response with its HTTP status.
type Response struct {
	Status int             `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Do posts query with variables and decodes the response. It fails the test on transport
// errors only; GraphQL errors are the caller's to assert.
func (c *Client) Do(tb testing.TB, query string, vars map[string]any) Response {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatalf("encode request: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	return Send(tb, req)
}

// Send performs a prepared request and decodes a GraphQL response.
func Send(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	var out Response
	if err := json.Unmarshal(raw, &out); err != nil {
		tb.Fatalf("response (HTTP %d) is not GraphQL JSON: %v\n%s", res.StatusCode, err, raw)
	}
	out.Status = res.StatusCode
	return out
}

// MustData decodes data into dst and fails the test if the response has errors.
func (c *Client) MustData(tb testing.TB, dst any, query string, vars map[string]any) {
	tb.Helper()
	res := c.Do(tb, query, vars)
	if len(res.Errors) > 0 || res.Status != http.StatusOK {
		tb.Fatalf("unexpected errors (HTTP %d): %+v", res.Status, res.Errors)
	}
	if err := json.Unmarshal(res.Data, dst); err != nil {
		tb.Fatalf("decode data: %v\n%s", err, res.Data)
	}
}

// MustError asserts the response failed with exactly one error of the given code and returns it.
func (c *Client) MustError(tb testing.TB, code, query string, vars map[string]any) Error {
	tb.Helper()
	res := c.Do(tb, query, vars)
	if res.Status != http.StatusOK {
		tb.Fatalf("HTTP status %d, want 200", res.Status)
	}
	if len(res.Errors) != 1 {
		tb.Fatalf("got %d errors, want 1 with code %s: %+v", len(res.Errors), code, res.Errors)
	}
	if got := res.Errors[0].Code(); got != code {
		tb.Fatalf("error code %q, want %q (message %q)", got, code, res.Errors[0].Message)
	}
	return res.Errors[0]
}
