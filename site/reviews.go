package site

// reviewItem is a published review on the reviews index.
type reviewItem struct {
	incidentSummary
	Review     *Review
	Open, Done int // action items
}

// reviews lists the published reviews of public incidents, newest
// incident first. Drafts (published: false) and internal incidents never
// reach it; the index shows no review body, so no audience block either.
func (r *renderer) reviews() []reviewItem {
	var out []reviewItem
	for _, in := range r.view.Incidents {
		if in.Review == nil || !in.Review.Published {
			continue
		}
		it := reviewItem{incidentSummary: r.brief(in), Review: in.Review}
		for _, a := range in.Review.ActionItems {
			if a.Done {
				it.Done++
			} else {
				it.Open++
			}
		}
		out = append(out, it)
	}
	return out
}
