package publish

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

var _ Target = (*S3)(nil)

// S3 is a Target in an S3 bucket, under a prefix: AWS S3 or any
// S3-compatible store (MinIO, Cloudflare R2, Backblaze B2, Ceph, …).
// Credentials come from AWS's standard chain only: the environment, the
// shared config and credentials files (profiles, SSO), and the roles of the
// machine it runs on.
type S3 struct {
	client *s3.Client
	bucket string
	root   string // "" or the prefix with a trailing "/"
}

// S3Options are the connection settings, named as the AWS CLI names them.
type S3Options struct {
	Region      string // --region (default: from the profile, else us-east-1)
	EndpointURL string // --endpoint-url: an S3-compatible store
	Profile     string // --profile: a profile of the shared config files
	// PathStyle puts the bucket in the URL's path rather than its host
	// name, as most S3-compatible stores want (the CLI's
	// s3.addressing_style = path).
	PathStyle bool
	// Concurrency is how many connections are kept open (0: 16).
	Concurrency int
	// Timeout fails an attempt that receives nothing for this long, so it
	// is retried (0: 30s).
	Timeout time.Duration
	// MaxAttempts is how many times a request is tried, with exponential
	// backoff between, on throttling, 5xx answers and network errors (0: 5).
	MaxAttempts int
	// MaxBackoff caps the wait between attempts (0: 20s).
	MaxBackoff time.Duration
}

// ParseS3URL splits s3://bucket/prefix into its bucket and prefix.
func ParseS3URL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix URL", s)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// NewS3 connects to the bucket of an s3://bucket/prefix URL. It makes no
// request: a missing credential or bucket shows with the first one.
func NewS3(ctx context.Context, s3url string, o S3Options) (*S3, error) {
	bucket, prefix, err := ParseS3URL(s3url)
	if err != nil {
		return nil, err
	}
	cfg, err := awsConfig(ctx, o.Region, o.Profile, o.Concurrency, o.Timeout, o.MaxAttempts, o.MaxBackoff)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.EndpointURL != "" {
			so.BaseEndpoint = aws.String(o.EndpointURL)
		}
		so.UsePathStyle = o.PathStyle
		// Checksums only where S3 requires them: S3-compatible stores do
		// not all accept the newer ones, and Content-MD5 guards each body.
		so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	s := &S3{client: client, bucket: bucket}
	if prefix != "" {
		s.root = prefix + "/"
	}
	return s, nil
}

// awsConfig loads AWS's standard configuration chain with herald's
// connection pool, timeouts and retries.
func awsConfig(ctx context.Context, region, profile string, conc int, timeout time.Duration, attempts int, backoff time.Duration) (aws.Config, error) {
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if attempts <= 0 {
		attempts = 5
	}
	if backoff <= 0 {
		backoff = 20 * time.Second
	}
	httpClient := awshttp.NewBuildableClient().
		WithReadTimeout(timeout).
		WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns = 2 * conc
			tr.MaxIdleConnsPerHost = 2 * conc
			tr.ResponseHeaderTimeout = timeout
		})
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = attempts
				so.MaxBackoff = backoff
				// No client-side retry quota: a burst of 503s from a
				// busy store should slow a publish down, not fail it.
				so.RateLimiter = ratelimit.None
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg, nil
}

func (s *S3) String() string { return "s3://" + s.bucket + "/" + s.root }

// List pages through ListObjectsV2 under the prefix.
func (s *S3) List(ctx context.Context, fn func(Object) error) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.root),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.err(err, "")
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.root)
			if err := fn(Object{Key: key, Size: aws.ToInt64(o.Size), ETag: unquote(o.ETag)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *S3) Stat(ctx context.Context, key string) (Stored, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.root + key)})
	if err != nil {
		return Stored{}, s.err(err, key)
	}
	return Stored{
		Object:   Object{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: unquote(out.ETag)},
		Header:   Header{ContentType: aws.ToString(out.ContentType), CacheControl: aws.ToString(out.CacheControl), ContentEncoding: aws.ToString(out.ContentEncoding)},
		Metadata: lower(out.Metadata),
	}, nil
}

func (s *S3) Get(ctx context.Context, key string) ([]byte, Stored, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.root + key)})
	if err != nil {
		return nil, Stored{}, s.err(err, key)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, Stored{}, fmt.Errorf("reading %s: %w", key, err)
	}
	return b, Stored{
		Object:   Object{Key: key, Size: int64(len(b)), ETag: unquote(out.ETag)},
		Header:   Header{ContentType: aws.ToString(out.ContentType), CacheControl: aws.ToString(out.CacheControl), ContentEncoding: aws.ToString(out.ContentEncoding)},
		Metadata: lower(out.Metadata),
	}, nil
}

// Put writes with PutObject, with a Content-MD5 so that S3 rejects a body
// damaged on the way. Conditional writes use If-None-Match: * and If-Match.
func (s *S3) Put(ctx context.Context, u Upload) (string, error) {
	sum := md5.Sum(u.Body)
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.root + u.Key),
		Body:          bytes.NewReader(u.Body),
		ContentLength: aws.Int64(int64(len(u.Body))),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		Metadata:      u.Metadata,
	}
	if u.Header.ContentType != "" {
		in.ContentType = aws.String(u.Header.ContentType)
	}
	if u.Header.CacheControl != "" {
		in.CacheControl = aws.String(u.Header.CacheControl)
	}
	if u.Header.ContentEncoding != "" {
		in.ContentEncoding = aws.String(u.Header.ContentEncoding)
	}
	if u.IfNoneMatch {
		in.IfNoneMatch = aws.String("*")
	}
	if u.IfMatch != "" {
		in.IfMatch = aws.String(`"` + u.IfMatch + `"`)
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		return "", s.err(err, u.Key)
	}
	return unquote(out.ETag), nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.root + key)})
	if err != nil {
		err = s.err(err, key)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	return err
}

// err maps S3's answers onto what callers branch on: fs.ErrNotExist and
// ErrPrecondition.
func (s *S3) err(err error, key string) error {
	what := s.String() + key
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return fmt.Errorf("%s: %w", what, fs.ErrNotExist)
		case "PreconditionFailed", "ConditionalRequestConflict":
			return fmt.Errorf("%s: %w", what, ErrPrecondition)
		case "NoSuchBucket":
			return fmt.Errorf("%s: the bucket %s does not exist", what, s.bucket)
		}
	}
	if strings.Contains(err.Error(), "get credentials") {
		return fmt.Errorf("%s: no AWS credentials found (AWS's standard chain: AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "+
			"the shared config files and SSO, an instance or container role): %w", what, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return fmt.Errorf("%s: %w", what, fs.ErrNotExist)
		case http.StatusPreconditionFailed, http.StatusConflict:
			return fmt.Errorf("%s: %w", what, ErrPrecondition)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func unquote(etag *string) string { return strings.Trim(aws.ToString(etag), `"`) }

func lower(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}
