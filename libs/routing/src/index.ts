// Built by its own issue; see DESIGN.md for what belongs here.
export {};
