const http = require("node:http");

const bookmarks = [{ title: "shipyard.aws", url: "https://github.com/shipyard-aws/shipyard.aws" }];

http
  .createServer((request, response) => {
    if (request.url === "/health") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: "ok" }));
    } else if (request.url === "/api/bookmarks") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(bookmarks));
    } else {
      response.writeHead(404);
      response.end();
    }
  })
  .listen(Number(process.env.PORT || 3000));
