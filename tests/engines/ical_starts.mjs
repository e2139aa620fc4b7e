// Reads an iCalendar file on stdin and prints, for each VEVENT, its UID and its start as a UTC
// instant, as ical.js (the engine of Thunderbird and Nextcloud) computes it from the file's own
// VTIMEZONE, never from a time zone database of its own. ICALJS is the path of ical.js's
// dist/ical.js (where the test runner installed it).
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.env.ICALJS).href)).default;

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  const start = event.startDate.toJSDate().toISOString();
  console.log(`${event.uid} ${start}`);
}
