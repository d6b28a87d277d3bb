package extrafields

type Type struct{}
