//! One page of items with what a template needs to link to the others (Django's `Page`).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::{PageLink, Paginator};

/// The items of one page, its number and its [`Paginator`].
///
/// In a template (it serialises with Django's attribute names, the methods' results
/// included): `{{ page.number }}`, `{% for item in page.object_list %}`, `page.has_next`,
/// `page.has_previous`, `page.has_other_pages`, `page.next_page_number` and
/// `page.previous_page_number` (`none` when there is no such page), `page.start_index`,
/// `page.end_index`, `page.paginator.num_pages`, and `page.elided_page_range` (Django's
/// `get_elided_page_range` with its defaults: 3 pages each side, 2 at each end).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub object_list: Vec<T>,
    number: u64,
    paginator: Paginator,
}

impl<T> Page<T> {
    /// A page; `number` must be valid for `paginator` (what its `page_of_*` methods check).
    pub(crate) fn new(object_list: Vec<T>, number: u64, paginator: Paginator) -> Self {
        Page {
            object_list,
            number,
            paginator,
        }
    }

    /// The page's number, from 1.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The paginator the page belongs to.
    pub fn paginator(&self) -> &Paginator {
        &self.paginator
    }

    /// Whether a page comes after this one.
    pub fn has_next(&self) -> bool {
        self.number < self.paginator.num_pages()
    }

    /// Whether a page comes before this one.
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }

    /// Whether there is any other page.
    pub fn has_other_pages(&self) -> bool {
        self.has_next() || self.has_previous()
    }

    /// The next page's number, if there is a next page.
    pub fn next_page_number(&self) -> Option<u64> {
        self.has_next().then(|| self.number + 1)
    }

    /// The previous page's number, if there is one.
    pub fn previous_page_number(&self) -> Option<u64> {
        self.has_previous().then(|| self.number - 1)
    }

    /// The 1-based position of the page's first item among all items (0 when there are none).
    pub fn start_index(&self) -> u64 {
        if self.paginator.count() == 0 {
            return 0;
        }
        self.paginator.per_page() * (self.number - 1) + 1
    }

    /// The 1-based position of the page's last item among all items.
    pub fn end_index(&self) -> u64 {
        if self.number == self.paginator.num_pages() {
            return self.paginator.count();
        }
        self.number * self.paginator.per_page()
    }

    /// The page range around this page, elided (see [`Paginator::elided_page_range`]).
    pub fn elided_page_range(&self, on_each_side: u64, on_ends: u64) -> Vec<PageLink> {
        self.paginator
            .elided_page_range(self.number, on_each_side, on_ends)
            .unwrap_or_default()
    }

    /// The same page with its items changed by `f` (to show something other than the rows).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            object_list: self.object_list.into_iter().map(f).collect(),
            number: self.number,
            paginator: self.paginator,
        }
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Page", 11)?;
        st.serialize_field("number", &self.number)?;
        st.serialize_field("object_list", &self.object_list)?;
        st.serialize_field("paginator", &self.paginator)?;
        st.serialize_field("has_next", &self.has_next())?;
        st.serialize_field("has_previous", &self.has_previous())?;
        st.serialize_field("has_other_pages", &self.has_other_pages())?;
        st.serialize_field("next_page_number", &self.next_page_number())?;
        st.serialize_field("previous_page_number", &self.previous_page_number())?;
        st.serialize_field("start_index", &self.start_index())?;
        st.serialize_field("end_index", &self.end_index())?;
        st.serialize_field("elided_page_range", &self.elided_page_range(3, 2))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_middle_page_links_both_ways_and_knows_its_positions() {
        let paginator = Paginator::new(23, 10);
        let items: Vec<u32> = (1..=23).collect();
        let page = paginator.page_of_vec(items.clone(), 2).unwrap();
        assert_eq!(page.object_list, (11..=20).collect::<Vec<_>>());
        assert!(page.has_next() && page.has_previous() && page.has_other_pages());
        assert_eq!(page.next_page_number(), Some(3));
        assert_eq!(page.previous_page_number(), Some(1));
        assert_eq!((page.start_index(), page.end_index()), (11, 20));

        let last = paginator.page_of_vec(items, 3).unwrap();
        assert!(!last.has_next());
        assert_eq!(last.next_page_number(), None);
        assert_eq!((last.start_index(), last.end_index()), (21, 23));
    }

    #[test]
    fn an_empty_list_has_one_empty_page() {
        let page = Paginator::new(0, 10)
            .page_of_vec(Vec::<u8>::new(), 1)
            .unwrap();
        assert!(!page.has_other_pages());
        assert_eq!((page.start_index(), page.end_index()), (0, 0));
    }

    #[test]
    fn a_page_renders_in_a_template_with_djangos_names() {
        let page = Paginator::new(5, 2)
            .page_of_vec(vec!["a", "b", "c", "d", "e"], 2)
            .unwrap();
        let mut env = micro::minijinja::Environment::new();
        env.add_template(
            "t",
            "{{ page.number }}/{{ page.paginator.num_pages }}:\
             {% for x in page.object_list %}{{ x }}{% endfor %}\
             {% if page.has_previous %} prev={{ page.previous_page_number }}{% endif %}\
             {% if page.has_next %} next={{ page.next_page_number }}{% endif %}\
             [{{ page.start_index }}-{{ page.end_index }} of {{ page.paginator.count }}]\
             {% for n in page.paginator.page_range %} {{ n }}{% endfor %}",
        )
        .unwrap();
        let out = env
            .get_template("t")
            .unwrap()
            .render(micro::context! { page })
            .unwrap();
        assert_eq!(out, "2/3:cd prev=1 next=3[3-4 of 5] 1 2 3");
    }
}
