/**
 * The request `request.bench.ts` and the instruction-count driver `callgrind.ts` build an
 * `HttpRequest` from: a search page with a query string, four cookies and a browser's headers.
 */
export const sampleRequest = new Request(
  "http://example.com/search/results?q=effect+django&page=2&tag=a&tag=b&sort=-date",
  {
    headers: {
      host: "example.com",
      cookie: "sessionid=abc123def456; csrftoken=0123456789abcdef0123456789abcdef; theme=dark; lang=en",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) bench",
      accept: "text/html,application/xhtml+xml",
      "accept-language": "en-GB,en;q=0.9"
    }
  }
)
