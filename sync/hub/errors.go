package hub

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// httpError is an answer with a status and a JSON error body.
type httpError struct {
	status int
	body   protocol.Error
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.body.Code, e.body.Message)
}

func newError(status int, code protocol.Code, format string, args ...any) *httpError {
	return &httpError{status: status, body: protocol.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

var errOverloaded = newError(http.StatusServiceUnavailable, protocol.CodeOverloaded, "too many requests in flight: retry after Retry-After seconds")

func internalError() *httpError {
	return newError(http.StatusInternalServerError, protocol.CodeInternal, "internal error: see the hub's log")
}

func methodNotAllowed(methods []string) *httpError {
	e := newError(http.StatusMethodNotAllowed, protocol.CodeMethodNotAllowed, "method not allowed")
	e.body.Allow = methods
	return e
}

func notFound() *httpError {
	return newError(http.StatusNotFound, protocol.CodeNotFound, "no such resource")
}

// writeError writes e as the answer.
func writeError(w http.ResponseWriter, e *httpError) {
	writeJSON(w, e.status, e.body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
