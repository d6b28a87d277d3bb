package persisted

// OperationNames returns the names of the trusted documents' named operations: with trusted
// documents, the only operations that can run, so metrics can label by them without letting
// clients invent label values.
func (t *Trusted) OperationNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range t.byID {
		for _, op := range d.Operations {
			if op.Name != "" && !seen[op.Name] {
				seen[op.Name] = true
				out = append(out, op.Name)
			}
		}
	}
	return out
}
