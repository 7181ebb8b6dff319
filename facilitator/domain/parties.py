"""The parties at a consultation table (协商各方): who a participant speaks for. Owners
(业主) are the only party that votes in an owners' decision; an observer (列席) only
listens, or votes as an owner's proxy."""

PARTIES = ("owner", "owners_committee", "property_company", "developer", "housing_bureau",
           "street_office", "community", "cppcc_member", "expert", "observer")
