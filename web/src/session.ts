// The signed-in account's token, kept in localStorage so a reload stays signed in.
const KEY = "campus-live.token";

export const session = {
  get token(): string | null {
    return localStorage.getItem(KEY);
  },
  set token(value: string | null) {
    if (value) localStorage.setItem(KEY, value);
    else localStorage.removeItem(KEY);
  },
};
