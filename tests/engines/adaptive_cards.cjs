// Reads a JSON list of Teams payloads on stdin and prints, as one JSON list, what the official
// Adaptive Cards renderer (npm "adaptivecards", the library Teams' own renderers share) reports
// when it parses and validates each card: unknown elements, invalid values, missing properties.
// ADAPTIVECARDS is the path of its dist/adaptivecards.js.
const AC = require(process.env.ADAPTIVECARDS);

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const problems = [];
  JSON.parse(input).forEach((payload, number) => {
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    card.parse(payload.attachments[0].content, context);
    for (let i = 0; i < context.eventCount; i++) {
      problems.push(`card ${number + 1}: ${context.getEventAt(i).message}`);
    }
    const results = card.validateProperties();
    for (let i = 0; i < results.failureCount; i++) {
      for (const error of results.getFailureAt(i).errors) {
        problems.push(`card ${number + 1}: ${error.message}`);
      }
    }
  });
  console.log(JSON.stringify(problems));
});
