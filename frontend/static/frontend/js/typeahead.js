/* Campus Social typeahead: suggestions under every search box (inputs marked
   data-typeahead="search"), from GET /api/v1/search/suggest/ (its address is the script tag's
   data-suggest-url).

   Progressive enhancement: without this script the boxes are plain search forms.  With it, each
   box gets a <datalist> the browser shows as its own accessible list of choices (announced by
   screen readers, chosen with the arrow keys or a tap); choosing one searches for it at once.
   No framework, no inline code (CSP). */
(() => {
  "use strict";

  const script = document.currentScript;
  const suggestUrl = script ? script.dataset.suggestUrl : "";
  if (!suggestUrl || !window.fetch || !window.AbortController) {
    return;
  }
  const DELAY = 200; // ms after the last key press: one request per pause, not per key

  function attach(input, index) {
    const list = document.createElement("datalist");
    list.id = `search-suggestions-${index}`;
    input.after(list);
    input.setAttribute("list", list.id);

    let timer = 0;
    let asked = "";
    let pending = null;

    async function fetchSuggestions(text) {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      try {
        const response = await fetch(`${suggestUrl}?q=${encodeURIComponent(text)}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
        if (!response.ok) {
          return; // search unavailable: the box still searches when submitted
        }
        const data = await response.json();
        const options = (data.suggestions || []).map((title) => {
          const option = document.createElement("option");
          option.value = title;
          return option;
        });
        list.replaceChildren(...options);
      } catch (error) {
        // Aborted by a newer request, or offline: nothing to show.
      }
    }

    input.addEventListener("input", (event) => {
      const text = input.value.trim();
      // A suggestion picked from the list: search for it straight away.
      const picked =
        !(event instanceof InputEvent) || event.inputType === "insertReplacementText";
      if (picked && text && Array.from(list.options).some((option) => option.value === text)) {
        input.form.requestSubmit();
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (text === asked) {
          return;
        }
        asked = text;
        if (text) {
          fetchSuggestions(text);
        } else {
          list.replaceChildren();
        }
      }, DELAY);
    });
  }

  document.querySelectorAll('input[data-typeahead="search"]').forEach(attach);
})();
