/**
 * Dates as the notes app's Django twin shows them: `{{ note.created }}` in a Django template
 * renders a datetime with `DATETIME_FORMAT`, Django's default `N j, Y, P` ("Dec. 6, 2026, 1:38
 * p.m."), in `TIME_ZONE` (the app's is UTC, as `USE_TZ = True` stores it). The templates use it
 * as the `datetime` filter (`{{ note.created | datetime }}`).
 */

/** Django's `N`: the month as the Associated Press abbreviates it. */
const AP_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]

/**
 * Django's `P`: the 12-hour time with `a.m.`/`p.m.`, the minutes left out when zero, `midnight`
 * and `noon` for those (seconds are not shown, so 12:00:01 is `noon`).
 */
const timeOfDay = (hour: number, minute: number): string => {
  if (minute === 0 && hour === 0) return "midnight"
  if (minute === 0 && hour === 12) return "noon"
  const h12 = hour % 12 === 0 ? 12 : hour % 12
  const clock = minute === 0 ? String(h12) : `${h12}:${String(minute).padStart(2, "0")}`
  return `${clock} ${hour > 11 ? "p.m." : "a.m."}`
}

/** `N j, Y, P` of `date` in UTC: `django.utils.dateformat.format(value, "N j, Y, P")`. */
export const formatDatetime = (date: Date): string =>
  `${AP_MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${
    timeOfDay(date.getUTCHours(), date.getUTCMinutes())
  }`
