package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// CloudFront invalidates the cached copies of changed paths in a
// CloudFront distribution, so that readers see a publish before the
// objects' max-age runs out.
type CloudFront struct {
	client *cloudfront.Client
	id     string
}

// CloudFrontOptions are the connection settings; credentials come from
// AWS's standard chain, as for S3.
type CloudFrontOptions struct {
	Profile     string
	EndpointURL string // for tests and proxies; empty for CloudFront itself
	MaxAttempts int
}

// NewCloudFront returns an invalidator for the distribution id.
func NewCloudFront(ctx context.Context, id string, o CloudFrontOptions) (*CloudFront, error) {
	if id == "" {
		return nil, fmt.Errorf("no CloudFront distribution id")
	}
	cfg, err := awsConfig(ctx, "us-east-1", o.Profile, 2, 0, o.MaxAttempts, 0)
	if err != nil {
		return nil, err
	}
	client := cloudfront.NewFromConfig(cfg, func(co *cloudfront.Options) {
		if o.EndpointURL != "" {
			co.BaseEndpoint = aws.String(o.EndpointURL)
		}
	})
	return &CloudFront{client: client, id: id}, nil
}

// Invalidate asks CloudFront to drop paths; it returns the invalidation's
// id. now makes the request's caller reference unique.
func (c *CloudFront) Invalidate(ctx context.Context, paths []string, now time.Time) (string, error) {
	if len(paths) == 0 {
		return "", nil
	}
	sum := sha256.Sum256([]byte(strings.Join(paths, "\n")))
	ref := fmt.Sprintf("herald-%s-%s", now.UTC().Format("20060102T150405.000000000Z"), hex.EncodeToString(sum[:6]))
	out, err := c.client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
		DistributionId: aws.String(c.id),
		InvalidationBatch: &types.InvalidationBatch{
			CallerReference: aws.String(ref),
			Paths:           &types.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
		},
	})
	if err != nil {
		return "", fmt.Errorf("invalidating %d paths in CloudFront distribution %s: %w", len(paths), c.id, err)
	}
	if out.Invalidation != nil {
		return aws.ToString(out.Invalidation.Id), nil
	}
	return "", nil
}

// DefaultMaxInvalidationPaths is the number of paths above which an
// invalidation is collapsed into one wildcard.
const DefaultMaxInvalidationPaths = 30

// InvalidationPaths is the URL paths to invalidate for the changed keys of
// a site served under base (the path of its base URL, "/" at the root): each
// key, and for an index.html its folder's URL as readers request it. More
// than max paths collapse into base + "*".
func InvalidationPaths(base string, keys []string, max int) []string {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	seen := map[string]bool{}
	for _, k := range keys {
		seen[escapePath(base+k)] = true
		if path.Base(k) == "index.html" {
			dir := strings.TrimSuffix(k, "index.html")
			seen[escapePath(base+dir)] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	if len(seen) > max {
		return []string{base + "*"}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func escapePath(p string) string {
	e := (&url.URL{Path: p}).EscapedPath()
	// A literal * would be a wildcard to CloudFront.
	return strings.ReplaceAll(e, "*", "%2A")
}
