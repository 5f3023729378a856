fetch("/api/bookmarks")
  .then((response) => response.json())
  .then((bookmarks) => {
    const list = document.getElementById("bookmarks");
    for (const bookmark of bookmarks) {
      const item = document.createElement("li");
      item.innerHTML = `<a href="${encodeURI(bookmark.url)}"></a>`;
      item.firstChild.textContent = bookmark.title;
      list.appendChild(item);
    }
  });
