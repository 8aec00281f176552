/**
 * Django 3.2's `ERROR_PAGE_TEMPLATE` (django/views/defaults.py), filled as its default 400, 403,
 * 404 and 500 views fill it when no template is configured (checked against a running Django 3.2).
 *
 * @internal
 */
const page = (title: string, details: string): string => `
<!doctype html>
<html lang="en">
<head>
  <title>${title}</title>
</head>
<body>
  <h1>${title}</h1><p>${details}</p>
</body>
</html>
`

const bodies: Record<number, string> = {
  400: page("Bad Request (400)", ""),
  403: page("403 Forbidden", ""),
  404: page("Not Found", "The requested resource was not found on this server."),
  500: page("Server Error (500)", "")
}

/** Django's page for a status (its 500 page for a status it has none for). */
export const errorPage = (status: number): string => bodies[status] ?? bodies[500]!
