package hub

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/doorcheck/doorcheck/sync/protocol"
)

// serveReport answers the compliance report of ?day=YYYY-MM-DD (default:
// today on the hub's clock) to the operator token.
func (s *Server) serveReport(w http.ResponseWriter, r *http.Request) error {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || s.opts.Keys.OperatorToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Keys.OperatorToken)) != 1 {
		return newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "the report needs the operator token (DATA/keys/operator.token)")
	}
	day := r.URL.Query().Get("day")
	if day == "" {
		day = s.opts.Now().Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return newError(http.StatusBadRequest, protocol.CodeBadRequest, "day must be YYYY-MM-DD")
	}
	rep, err := BuildReport(r.Context(), s.opts.Storage, day)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
