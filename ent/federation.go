package ent

// Hand-written (ent's code generator leaves it alone): the types ent/entc.go marks with
// @key(fields: "id") are members of the federation _Entity union, which gqlgen binds to
// fedruntime.Entity, an interface with this marker method.

// IsEntity marks Product as an Apollo Federation entity.
func (*Product) IsEntity() {}

// IsEntity marks Category as an Apollo Federation entity.
func (*Category) IsEntity() {}

// IsEntity marks Review as an Apollo Federation entity.
func (*Review) IsEntity() {}

// IsEntity marks User as an Apollo Federation entity.
func (*User) IsEntity() {}

// IsEntity marks Quiz as an Apollo Federation entity.
func (*Quiz) IsEntity() {}
