// Out-of-office replies that carry no responder header (no Auto-Submitted, X-Auto-Response-Suppress or
// Precedence), one per language of the phrase tables, built as real MIME by nodemailer's composer and
// read by the project's parser; and per language a person's letter about someone being away, under a
// subject that opens like a responder's, which must reach staff.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import { analyzeParsed } from '../../functions/core/analyze.js';
import {
  AUTO_REPLY_BODY_PHRASES,
  AUTO_REPLY_SUBJECT_OPENINGS,
  AUTOMATED_PHRASE_LANGUAGES,
  AWAY_SUBJECT_ENDINGS,
  AWAY_SUBJECT_OPENINGS,
  CALENDAR_REPLY_SUBJECT_OPENINGS,
  CONCESSIONS,
  HOLIDAY_SUBJECTS,
  NON_DELIVERY_SUBJECT_OPENINGS,
  type PhraseLanguage,
  RECEIPT_ACKNOWLEDGEMENTS,
  RESCHEDULE_REQUESTS,
} from '../../functions/core/automated-phrases.js';
import { foldForMatching } from '../../functions/core/automated-tables.js';
import { tokens } from '../../functions/core/classify/normalize.js';
import { parseMail } from '../../functions/core/parse.js';
import { frequentWords } from '../helpers/frequent-words.js';
import { calendarAnswer } from '../helpers/mime.js';

const PROTOCOL = 'protocol@stockholm.se';

/** How the client wrote the body: the four shapes responders and people send. */
type BodyShape = 'plain-qp' | 'plain-base64' | 'alternative' | 'html-only';
const SHAPES: BodyShape[] = ['plain-qp', 'alternative', 'plain-base64', 'html-only'];

interface Letter {
  subject: string;
  body: string;
}

interface LanguageCase {
  language: PhraseLanguage;
  /** A responder's reply without any responder header. */
  autoReply: Letter;
  /** A person's letter that speaks of being away or back, under an away-like subject. */
  person: Letter;
}

const CASES: LanguageCase[] = [
  {
    language: 'sv',
    autoReply: {
      subject: 'Frånvaro: SV: Studiebesök från Helsingfors',
      body: 'Hej! Jag är på semester till och med 14 augusti och läser inte min e-post. Vid brådskande ärenden, kontakta registrator på 08-508 290 00. Hälsningar, Eva Lind',
    },
    person: {
      subject: 'Frånvaro av borgmästaren vid konferensen – begäran om ny tid för mottagningen',
      body: 'Hej, borgmästaren i Åbo är bortrest under vecka 20 och kommer tillbaka den 19 maj. Skulle ni kunna ta emot delegationen den 21 maj i stället? Delegationen består av sex personer och vill gärna träffa finansborgarrådet. Med vänlig hälsning, Annika Laine, Åbo stad',
    },
  },
  {
    language: 'en',
    autoReply: {
      subject: 'Out of Office: RE: Urban mobility partnership call',
      body: 'Thank you for your email. I am on annual leave until 6 January with limited access to email. Your message will not be forwarded. For urgent matters please contact my colleague Sarah Mills (sarah.mills@example.org).',
    },
    person: {
      subject: 'Absence of the delegation leader: request for a new date',
      body: 'Dear colleagues, the head of our delegation, Councillor Morris, is on leave until 20 May and will be back in the office on 21 May. Could the reception at Stockholm City Hall be moved to 23 May? The rest of the delegation can travel as planned. Kind regards, Helen Carter, Bristol City Council',
    },
  },
  {
    language: 'de',
    autoReply: {
      subject: 'Abwesend: AW: Delegationsbesuch aus Hamburg',
      body: 'Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 9. Mai nicht im Büro und habe nur eingeschränkten Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an Frau Huber (040 428 31 0). Mit freundlichen Grüßen, Jana Becker',
    },
    person: {
      subject: 'Abwesenheit des Ersten Bürgermeisters: Bitte um einen neuen Termin',
      body: 'Sehr geehrte Damen und Herren, der Erste Bürgermeister ist vom 12. bis 16. Mai auf Dienstreise in Brüssel und erst ab dem 19. Mai wieder im Rathaus. Wäre ein Empfang der Delegation beim Finanzbürgerrat am 21. Mai möglich? Mit freundlichen Grüßen, Senatskanzlei Hamburg, Protokoll',
    },
  },
  {
    language: 'fr',
    autoReply: {
      subject: 'Absente : RE: Visite de la délégation de Lyon',
      body: "Bonjour, je suis en congé jusqu'au 2 janvier inclus, avec un accès limité à mes courriels. Pour toute urgence, merci de contacter le secrétariat au +33 4 72 10 30 30. Je prendrai connaissance de votre message à mon retour. Cordialement, Claire Morel",
    },
    person: {
      subject: 'Absence du maire le 12 juin : proposition de nouvelle date pour la visite',
      body: "Madame, Monsieur, le maire de Lyon sera absent le 12 juin en raison d'un conseil municipal extraordinaire ; il sera de retour à Lyon le 13 juin. Pourriez-vous recevoir notre délégation le 16 juin à l'Hôtel de Ville de Stockholm ? Veuillez agréer nos salutations distinguées. Service du protocole, Ville de Lyon",
    },
  },
  {
    language: 'nl',
    autoReply: {
      subject: 'Afwezig: RE: Werkbezoek gemeente Utrecht',
      body: 'Beste afzender, ik ben tot en met 3 januari met vakantie en heb beperkte toegang tot mijn e-mail. Uw bericht wordt niet doorgestuurd. Voor dringende zaken kunt u contact opnemen met het secretariaat. Met vriendelijke groet, Sanne de Vries',
    },
    person: {
      subject: 'Afwezigheid van de burgemeester bij het werkbezoek: verzoek om een andere datum',
      body: 'Geachte heer, mevrouw, de burgemeester van Utrecht is in de week van 12 mei in het buitenland en is pas op 20 mei weer aanwezig. Kunnen wij het werkbezoek aan Stockholm verplaatsen naar 27 mei? De delegatie bestaat uit vijf personen. Met vriendelijke groet, Kabinet van de burgemeester, gemeente Utrecht',
    },
  },
  {
    language: 'pl',
    autoReply: {
      subject: 'Nieobecność: RE: Wizyta delegacji z Gdańska',
      body: 'Dzień dobry, jestem na urlopie do 15 sierpnia i mam ograniczony dostęp do poczty. W pilnych sprawach proszę o kontakt z sekretariatem: +48 58 323 60 00. Odpowiem po powrocie. Z poważaniem, Anna Nowak',
    },
    person: {
      subject: 'Nieobecność prezydenta miasta – prośba o przełożenie wizyty',
      body: 'Szanowni Państwo, prezydent Gdańska przebywa w delegacji w Brukseli do 14 maja i wraca do urzędu 15 maja. Czy możliwe byłoby przyjęcie naszej delegacji w Sztokholmie 20 maja zamiast 13 maja? Z wyrazami szacunku, Biuro Prezydenta, Urząd Miejski w Gdańsku',
    },
  },
  {
    language: 'fi',
    autoReply: {
      subject: 'Poissa: VS: Opintomatka Tukholmaan',
      body: 'Kiitos viestistäsi. Olen vuosilomalla 8.7. asti enkä lue sähköpostia. Kiireellisissä asioissa ota yhteyttä kirjaamoon, puh. 09 310 1641. Palaan toimistolle 9.7. Ystävällisin terveisin, Liisa Virtanen',
    },
    person: {
      subject: 'Poissa kokouksesta: pormestarin vierailu siirtyy',
      body: 'Hyvä vastaanottaja, Tampereen pormestari on virkamatkalla Brysselissä toukokuun puoliväliin asti ja palaa Tampereelle 19.5. Voisimmeko siirtää vierailun Tukholmaan 26.5.? Valtuuskuntaan kuuluu kuusi henkilöä. Ystävällisin terveisin, Tampereen kaupunki, kansainväliset asiat',
    },
  },
  {
    language: 'es',
    autoReply: {
      subject: 'Fuera de la oficina: RE: Visita institucional a Estocolmo',
      body: 'Gracias por su mensaje. Me encuentro fuera de la oficina hasta el 7 de enero, con acceso limitado al correo. Para asuntos urgentes, puede contactar con mi compañera Lucía Gómez (lucia.gomez@example.es). Responderé a mi regreso. Un saludo, Javier Ruiz',
    },
    person: {
      subject: 'Ausencia de la alcaldesa el 12 de junio: propuesta de nueva fecha',
      body: 'Estimados señores: la alcaldesa de Valencia estará de viaje oficial en Bruselas del 10 al 14 de junio y regresa al ayuntamiento el 15 de junio. ¿Sería posible recibir a nuestra delegación en Estocolmo el 18 de junio? Atentamente, Gabinete de Alcaldía, Ayuntamiento de Valencia',
    },
  },
  {
    language: 'it',
    autoReply: {
      subject: 'Fuori sede - Re: Visita della delegazione di Torino',
      body: 'Gentile mittente, sono fuori sede fino al 9 dicembre con accesso limitato alla posta elettronica. Per questioni urgenti si prega di contattare la segreteria al numero 011 011 22222. Cordiali saluti, Marco Rossi',
    },
    person: {
      subject: "Assenza del sindaco al vertice: richiesta di una nuova data per l'incontro",
      body: 'Gentili signori, il sindaco di Torino sarà in missione a Bruxelles dal 12 al 15 maggio e rientrerà in Comune il 16 maggio. Sarebbe possibile ricevere la nostra delegazione a Stoccolma il 22 maggio? Distinti saluti, Gabinetto del Sindaco, Città di Torino',
    },
  },
  {
    language: 'pt',
    autoReply: {
      subject: 'Ausente: RE: Visita da delegação de Lisboa',
      body: 'Obrigada pela sua mensagem. Encontro-me de férias até 4 de janeiro, sem acesso ao e-mail. Para assuntos urgentes, contacte a minha colega Inês Costa (ines.costa@example.pt). Responderei após o meu regresso. Cumprimentos, Ana Ferreira',
    },
    person: {
      subject: 'Ausência do presidente da câmara: pedido de nova data para a visita',
      body: 'Exmos. Senhores, o presidente da Câmara Municipal de Lisboa estará em missão oficial em Bruxelas até 14 de maio e regressa aos Paços do Concelho a 15 de maio. Seria possível receber a nossa delegação em Estocolmo a 21 de maio? Com os melhores cumprimentos, Gabinete do Presidente, Câmara Municipal de Lisboa',
    },
  },
  {
    language: 'da',
    autoReply: {
      subject: 'Fravær: SV: Studiebesøg fra Aarhus Kommune',
      body: 'Tak for din mail. Jeg holder ferie til og med den 18. juli og har begrænset adgang til mail. Din mail bliver ikke videresendt. I hastende tilfælde kan du kontakte sekretariatet på 89 40 20 00. Venlig hilsen, Mette Hansen',
    },
    person: {
      subject: 'Fravær af borgmesteren ved konferencen: ønske om en ny dato',
      body: 'Kære kolleger, borgmesteren i Aarhus er på officiel rejse i Bruxelles i uge 20 og er tilbage på rådhuset den 19. maj. Vil det være muligt at modtage vores delegation i Stockholm den 22. maj i stedet? Med venlig hilsen, Borgmesterens Afdeling, Aarhus Kommune',
    },
  },
  {
    language: 'et',
    autoReply: {
      subject: 'Eemal: RE: Tallinna delegatsiooni visiit',
      body: 'Tere! Olen puhkusel kuni 5. jaanuarini ja mul on piiratud ligipääs e-postile. Kiireloomuliste küsimuste korral palun pöörduge kantseleisse, tel 640 4141. Vastan esimesel võimalusel pärast naasmist. Parimate soovidega, Kadri Tamm',
    },
    person: {
      subject: 'Kontorist eemal olev linnapea: palve leida uus kohtumise aeg',
      body: 'Lugupeetud kolleegid, Tallinna linnapea viibib 12.–16. mail töövisiidil Brüsselis ja naaseb linnavalitsusse 19. mail. Kas oleks võimalik võtta meie delegatsioon Stockholmis vastu 22. mail? Lugupidamisega, Tallinna Linnakantselei, protokolliteenistus',
    },
  },
  {
    language: 'lv',
    autoReply: {
      subject: 'Automātiskā atbilde: RE: Rīgas delegācijas vizīte',
      body: 'Labdien! Esmu atvaļinājumā līdz 10. janvārim, un man ir ierobežota piekļuve e-pastam. Steidzamos jautājumos lūdzu sazinieties ar kanceleju, tālr. 67012345. Atbildēšu pēc atgriešanās. Ar cieņu, Ilze Bērziņa',
    },
    person: {
      subject: 'Prombūtne mēra vizītes laikā: lūgums pēc jauna datuma',
      body: 'Godātie kolēģi, Rīgas mērs no 12. līdz 16. maijam atrodas darba vizītē Briselē un atgriezīsies domē 19. maijā. Vai būtu iespējams pieņemt mūsu delegāciju Stokholmā 22. maijā? Ar cieņu, Rīgas domes Protokola nodaļa',
    },
  },
  {
    language: 'lt',
    autoReply: {
      subject: 'Automatinis atsakymas: RE: Vilniaus delegacijos vizitas',
      body: 'Laba diena, šiuo metu atostogauju iki sausio 6 d. ir el. laiškus skaitau retai. Skubiais klausimais prašome kreiptis į raštinę tel. 8 5 211 2000. Atsakysiu grįžusi. Pagarbiai, Rūta Kazlauskienė',
    },
    person: {
      subject: 'Nebuvimas darbe per forumą: prašymas perkelti susitikimą',
      body: 'Gerbiami kolegos, Vilniaus meras gegužės 12–16 d. bus komandiruotėje Briuselyje ir į savivaldybę grįš gegužės 19 d. Ar būtų galima mūsų delegaciją Stokholme priimti gegužės 22 d.? Pagarbiai, Vilniaus miesto savivaldybės Protokolo skyrius',
    },
  },
  {
    language: 'el',
    autoReply: {
      subject: 'Εκτός γραφείου: RE: Επίσκεψη αντιπροσωπείας του Δήμου Αθηναίων',
      body: 'Σας ευχαριστώ για το μήνυμά σας. Βρίσκομαι σε άδεια έως τις 7 Ιανουαρίου με περιορισμένη πρόσβαση στο ηλεκτρονικό ταχυδρομείο. Για επείγοντα θέματα παρακαλώ επικοινωνήστε με τη γραμματεία στο 210 372 2001. Θα απαντήσω μετά την επιστροφή μου. Με εκτίμηση, Μαρία Παπαδοπούλου',
    },
    person: {
      subject: 'Απουσία του δημάρχου από τη σύνοδο: αίτημα για νέα ημερομηνία',
      body: 'Αξιότιμοι κύριοι, ο Δήμαρχος Αθηναίων θα βρίσκεται σε επίσημη αποστολή στις Βρυξέλλες από τις 12 έως τις 16 Μαΐου και επιστρέφει στο δημαρχείο στις 19 Μαΐου. Θα ήταν δυνατόν να υποδεχθείτε την αντιπροσωπεία μας στη Στοκχόλμη στις 22 Μαΐου; Με εκτίμηση, Γραφείο Πρωτοκόλλου, Δήμος Αθηναίων',
    },
  },
  {
    language: 'bg',
    autoReply: {
      subject: 'Автоматичен отговор: RE: Посещение на делегация от София',
      body: 'Здравейте, в момента съм извън офиса до 8 януари и имам ограничен достъп до електронната поща. За спешни въпроси, моля, свържете се с деловодството на тел. 02 9377 591. Ще отговоря след завръщането ми. Поздрави, Мария Иванова',
    },
    person: {
      subject: 'Отсъствие на кмета по време на форума: молба за нова дата',
      body: 'Уважаеми колеги, кметът на София ще бъде в служебна командировка в Брюксел от 12 до 16 май и се връща в общината на 19 май. Възможно ли е да приемете нашата делегация в Стокхолм на 22 май? С уважение, Дирекция „Протокол“, Столична община',
    },
  },
  {
    language: 'cs',
    autoReply: {
      subject: 'Nepřítomnost: RE: Návštěva delegace z Prahy',
      body: 'Dobrý den, do 11. 12. jsem na dovolené a nemám přístup k e-mailu. Vaši zprávu si přečtu po návratu. V naléhavých případech prosím kontaktujte sekretariát na tel. 236 002 111. S pozdravem Jana Nováková',
    },
    person: {
      subject: 'Nepřítomnost primátora na konferenci: prosíme o náhradní termín',
      body: 'Vážení kolegové, pan primátor bude od 12. do 16. května na pracovní cestě v Bruselu a na magistrát se vrátí 19. května. Bylo by možné přijmout naši delegaci ve Stockholmu 22. května? S pozdravem Protokolární oddělení, Magistrát hlavního města Prahy',
    },
  },
  {
    language: 'sk',
    autoReply: {
      subject: 'Automatická odpoveď: RE: Návšteva delegácie z Bratislavy',
      body: 'Dobrý deň, do 8. 1. som na dovolenke s obmedzeným prístupom k e-mailu. V naliehavých prípadoch sa prosím obráťte na sekretariát, tel. 02 593 56 111. Na vašu správu odpoviem po návrate. S pozdravom Mária Horváthová',
    },
    person: {
      subject: 'Neprítomnosť primátora na samite: prosba o nový termín',
      body: 'Vážení kolegovia, pán primátor bude od 12. do 16. mája na pracovnej ceste v Bruseli a na magistrát sa vráti 19. mája. Bolo by možné prijať našu delegáciu v Štokholme 22. mája? S pozdravom Protokolárne oddelenie, Magistrát hlavného mesta SR Bratislavy',
    },
  },
  {
    language: 'hu',
    autoReply: {
      subject: 'Automatikus válasz: RE: A budapesti delegáció látogatása',
      body: 'Köszönöm levelét. Január 6-ig szabadságon vagyok, e-mailjeimet korlátozottan tudom olvasni. Sürgős esetben kérem, forduljon a titkársághoz: +36 1 327 1000. Visszatérésem után válaszolok. Üdvözlettel: Kovács Éva',
    },
    person: {
      subject: 'Távollét a csúcstalálkozó idején: új időpont kérése',
      body: 'Tisztelt Kollégák! A főpolgármester május 12. és 16. között hivatalos úton lesz Brüsszelben, és május 19-én tér vissza a városházára. Lehetséges lenne delegációnkat május 22-én fogadni Stockholmban? Tisztelettel: Protokoll Osztály, Budapest Főváros Főpolgármesteri Hivatal',
    },
  },
  {
    language: 'ro',
    autoReply: {
      subject: 'Răspuns automat: RE: Vizita delegației din Cluj-Napoca',
      body: 'Bună ziua, sunt în concediu până pe 7 ianuarie și am acces limitat la e-mail. Pentru probleme urgente vă rog să contactați secretariatul la 0264 596 030. Voi răspunde la întoarcerea mea. Cu stimă, Ioana Popescu',
    },
    person: {
      subject: 'Absența primarului la summit: solicitare pentru o nouă dată',
      body: 'Stimați colegi, primarul municipiului Cluj-Napoca se va afla în deplasare oficială la Bruxelles între 12 și 16 mai și revine la primărie pe 19 mai. Ar fi posibil să primiți delegația noastră la Stockholm pe 22 mai? Cu stimă, Serviciul Protocol, Primăria Cluj-Napoca',
    },
  },
  {
    language: 'hr',
    autoReply: {
      subject: 'Izvan ureda: RE: Posjet delegacije Grada Zagreba',
      body: 'Poštovani, na godišnjem sam odmoru do 7. siječnja s ograničenim pristupom e-pošti. Za hitne slučajeve molim kontaktirajte tajništvo na 01 610 1111. Na vašu poruku odgovorit ću po povratku. Srdačan pozdrav, Ana Horvat',
    },
    person: {
      subject: 'Odsutnost gradonačelnika tijekom foruma: molba za novi termin',
      body: 'Poštovani kolege, gradonačelnik Zagreba bit će na službenom putu u Bruxellesu od 12. do 16. svibnja i vraća se u Gradsku upravu 19. svibnja. Bi li bilo moguće primiti našu delegaciju u Stockholmu 22. svibnja? S poštovanjem, Služba za protokol, Grad Zagreb',
    },
  },
  {
    language: 'is',
    autoReply: {
      subject: 'Fjarverandi: RE: Heimsókn sendinefndar frá Reykjavík',
      body: 'Takk fyrir póstinn. Ég er í fríi til 6. janúar og hef takmarkaðan aðgang að tölvupósti. Í brýnum málum vinsamlegast hafið samband við skrifstofuna í síma 411 1111. Ég svara þegar ég kem aftur. Kveðja, Guðrún Jónsdóttir',
    },
    person: {
      subject: 'Fjarvera borgarstjóra á ráðstefnunni: beiðni um nýja dagsetningu',
      body: 'Ágætu samstarfsmenn, borgarstjóri Reykjavíkur verður í opinberri ferð í Brussel 12.–16. maí og kemur aftur í ráðhúsið 19. maí. Væri mögulegt að taka á móti sendinefndinni okkar í Stokkhólmi 22. maí? Virðingarfyllst, Skrifstofa borgarstjóra, Reykjavíkurborg',
    },
  },
  {
    language: 'sl',
    autoReply: {
      subject: 'Odsotnost: RE: Obisk delegacije Mestne občine Ljubljana',
      body: 'Pozdravljeni, do 7. januarja sem na dopustu in imam omejen dostop do e-pošte. V nujnih primerih prosim kontaktirajte tajništvo na 01 306 10 00. Na vaše sporočilo bom odgovorila po vrnitvi. Lep pozdrav, Maja Novak',
    },
    person: {
      subject: 'Odsotnost župana na vrhu: prošnja za nov termin',
      body: 'Spoštovani kolegi, župan Ljubljane bo od 12. do 16. maja na službeni poti v Bruslju in se na mestno občino vrne 19. maja. Ali bi bilo mogoče našo delegacijo v Stockholmu sprejeti 22. maja? Lep pozdrav, Protokolarna služba, Mestna občina Ljubljana',
    },
  },
  {
    language: 'mt',
    autoReply: {
      subject: 'Barra mill-uffiċċju: RE: Żjara tad-delegazzjoni tal-Belt Valletta',
      body: "Grazzi tal-messaġġ tiegħek. Ninsab barra mill-uffiċċju sas-7 ta' Jannar b'aċċess limitat għall-email. Għal kwistjonijiet urġenti jekk jogħġbok ikkuntattja lis-segretarjat fuq 2122 0000. Se nwieġeb meta nirritorna. Grazzi, Maria Borg",
    },
    person: {
      subject: 'Assenza tas-sindku mis-summit: talba għal data ġdida',
      body: "Għeżież kollegi, is-sindku tal-Belt Valletta se jkun f'missjoni uffiċjali fi Brussell mit-12 sas-16 ta' Mejju u jirritorna l-kunsill fid-19 ta' Mejju. Jista' jkun possibbli li tilqgħu d-delegazzjoni tagħna fi Stokkolma fit-22 ta' Mejju? Dejjem tagħkom, Uffiċċju tal-Protokoll, Kunsill Lokali Belt Valletta",
    },
  },
  {
    language: 'ga',
    autoReply: {
      subject: 'Freagra uathoibríoch: RE: Cuairt toscaireachta ó Chathair Bhaile Átha Cliath',
      body: 'Go raibh maith agat as do theachtaireacht. Táim ar saoire go dtí an 6 Eanáir agus tá rochtain theoranta ar ríomhphost agam. I gcás práinne, déan teagmháil leis an rúnaíocht ag 01 222 2222. Beidh mé ar ais san oifig an 7 Eanáir. Le meas, Aoife Ní Bhriain',
    },
    person: {
      subject: 'As láthair an Ard-Mhéara ag an gcruinniú mullaigh: iarratas ar dháta nua',
      body: 'A chomhghleacaithe, beidh Ard-Mhéara Bhaile Átha Cliath ar thuras oifigiúil sa Bhruiséil ón 12 go dtí an 16 Bealtaine agus fillfidh sé ar an Teach an Ard-Mhéara an 19 Bealtaine. An mbeadh sé indéanta ár dtoscaireacht a fháil i Stócólm an 22 Bealtaine? Le meas, Oifig an Phrótacail, Comhairle Cathrach Bhaile Átha Cliath',
    },
  },
  {
    language: 'no',
    autoReply: {
      subject: 'Fravær: Re: Studiebesøk fra Bergen kommune',
      body: 'Jeg er på ferie til og med mandag 4. januar og har begrenset tilgang til e-post. Henvendelser om internasjonale besøk kan rettes til postmottak@bergen.kommune.example. Med vennlig hilsen, Kari Nordmann',
    },
    person: {
      subject: 'Fravær ved ordførerens besøk: forespørsel om ny dato',
      body: 'Kjære kolleger, ordføreren i Bergen er på offisiell reise i Brussel i uke 20 og er tilbake på rådhuset 19. mai. Vil det være mulig å ta imot delegasjonen vår i Stockholm 22. mai i stedet? Med vennlig hilsen, Ordførerens kontor, Bergen kommune',
    },
  },
  {
    language: 'uk',
    autoReply: {
      subject: 'Автоматична відповідь: RE: Візит делегації Києва',
      body: 'Дякую за ваш лист. Я у відпустці до 8 січня і маю обмежений доступ до електронної пошти. З термінових питань звертайтеся до секретаріату за тел. +380 44 202 7000. Відповім після повернення. З повагою, Олена Коваленко',
    },
    person: {
      subject: 'Відсутність міського голови під час форуму: прохання про нову дату',
      body: 'Шановні колеги, міський голова Києва з 12 по 16 травня перебуватиме у службовому відрядженні в Брюсселі та повернеться до мерії 19 травня. Чи можливо прийняти нашу делегацію у Стокгольмі 22 травня? З повагою, Протокольний відділ, Київська міська державна адміністрація',
    },
  },
  {
    language: 'ru',
    autoReply: {
      subject: 'Автоответ: RE: Визит делегации',
      body: 'Благодарю за письмо. Я нахожусь в отпуске до 9 января, доступ к почте ограничен. По срочным вопросам обращайтесь в секретариат по тел. +7 495 000 00 00. Отвечу после возвращения. С уважением, Ирина Смирнова',
    },
    person: {
      subject: 'Отсутствие мэра на форуме: просьба о новой дате встречи',
      body: 'Уважаемые коллеги, мэр города с 12 по 16 мая будет находиться в служебной командировке в Брюсселе и вернётся в мэрию 19 мая. Возможно ли принять нашу делегацию в Стокгольме 22 мая? С уважением, Протокольный отдел мэрии',
    },
  },
  {
    language: 'ja',
    autoReply: {
      subject: '自動応答: RE: 東京都代表団のストックホルム訪問',
      body: 'メールありがとうございます。誠に勝手ながら、1月6日まで休暇を取っております。期間中はメールを確認できませんので、お急ぎの場合は秘書室（03-5321-1111）までご連絡ください。戻り次第ご返信いたします。山田花子',
    },
    person: {
      subject: '不在の件：知事の訪問日程変更のお願い',
      body: 'ストックホルム市ご担当者様 知事は5月12日から16日までブリュッセルに出張しており、19日に都庁に戻ります。つきましては、代表団のストックホルム訪問を5月22日に変更していただくことは可能でしょうか。東京都 儀典課',
    },
  },
  {
    language: 'zh',
    autoReply: {
      subject: '自动回复: RE: 北京市代表团访问斯德哥尔摩',
      body: '您好，我目前正在休假，1月6日返回办公室，休假期间无法查看邮件。如有急事，请联系办公室：010-6519 2000。返回后我会尽快回复您。谢谢！王丽',
    },
    person: {
      subject: '外出访问期间的安排：请求更改会见日期',
      body: '尊敬的同事：市长将于5月12日至16日在布鲁塞尔进行公务访问，19日回到市政府。请问能否将我方代表团在斯德哥尔摩的会见改到5月22日？北京市人民政府外事办公室礼宾处',
    },
  },
  {
    language: 'ko',
    autoReply: {
      subject: '자동 회신: RE: 서울시 대표단 스톡홀름 방문',
      body: '메일 감사합니다. 1월 6일까지 휴가 중입니다. 휴가 기간에는 메일 확인이 어렵습니다. 급한 용무는 비서실(02-120)로 연락 주시기 바랍니다. 복귀 후 회신드리겠습니다. 김민지 드림',
    },
    person: {
      subject: '부재 중 일정 관련: 시장 면담 날짜 변경 요청',
      body: '스톡홀름시 담당자님께, 서울시장은 5월 12일부터 16일까지 브뤼셀 공식 방문 일정이 있으며 19일에 시청으로 돌아옵니다. 대표단의 스톡홀름 방문을 5월 22일로 변경할 수 있을지 문의드립니다. 서울특별시 의전담당관실 드림',
    },
  },
  {
    language: 'ar',
    autoReply: {
      subject: 'رد تلقائي: RE: زيارة وفد بلدية دبي',
      body: 'شكرا لرسالتك. أنا حاليا في إجازة حتى 6 يناير ولدي وصول محدود إلى البريد الإلكتروني. للأمور العاجلة يرجى التواصل مع السكرتارية على الرقم 800900. سأرد على رسالتك بعد عودتي. مع التحية، سارة أحمد',
    },
    person: {
      subject: 'غياب رئيس البلدية عن القمة: طلب تحديد موعد جديد',
      body: 'الزملاء الأعزاء، سيكون رئيس البلدية في مهمة رسمية في بروكسل من 12 إلى 16 مايو ويعود إلى مقر البلدية في 19 مايو. هل يمكن استقبال وفدنا في ستوكهولم يوم 22 مايو؟ مع خالص التحية، إدارة المراسم، بلدية دبي',
    },
  },
  {
    language: 'tr',
    autoReply: {
      subject: 'Otomatik yanıt: RE: İstanbul heyetinin Stockholm ziyareti',
      body: 'Mesajınız için teşekkürler. 6 Ocak tarihine kadar yıllık izindeyim ve e-postalarıma sınırlı erişimim var. Acil durumlarda lütfen sekreterlikle 0212 455 1300 numarasından iletişime geçiniz. Döndüğümde yanıt vereceğim. Saygılarımla, Ayşe Yılmaz',
    },
    person: {
      subject: 'Ofis dışında geçen hafta: başkanın ziyareti için yeni tarih talebi',
      body: 'Değerli meslektaşlarımız, Belediye Başkanı 12-16 Mayıs tarihleri arasında Brüksel’de resmi ziyarette olacak ve 19 Mayıs’ta belediyeye dönecektir. Heyetimizi 22 Mayıs’ta Stockholm’de kabul etmeniz mümkün olabilir mi? Saygılarımızla, Protokol Müdürlüğü, İstanbul Büyükşehir Belediyesi',
    },
  },
];

function html(text: string): string {
  const paragraphs = text.split(/(?<=[.!?。！？])\s*/u).filter(Boolean);
  return `<html><head><meta charset="utf-8"></head><body>${paragraphs
    .map((paragraph) => `<p>${paragraph.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
    .join('\n')}</body></html>`;
}

/** The message as a mail client sends it: encoded words in the subject, the body in one of four shapes. */
async function compose(letter: Letter, shape: BodyShape, language: PhraseLanguage): Promise<Buffer> {
  const common = {
    from: { name: 'Sender', address: `sender.${language}@example.org` },
    to: PROTOCOL,
    subject: letter.subject,
    date: new Date('2026-12-02T09:15:00Z'),
    messageId: `<${language}.${shape}@mail.example.org>`,
    headers: { 'Content-Language': language, 'Thread-Topic': letter.subject.replace(/^[^:]*:\s*/u, '') },
  };
  const body =
    shape === 'html-only'
      ? { html: html(letter.body) }
      : shape === 'alternative'
        ? { text: letter.body, html: html(letter.body) }
        : { text: letter.body, textEncoding: shape === 'plain-qp' ? 'quoted-printable' : 'base64' };
  return new MailComposer({ ...common, ...body } as ConstructorParameters<typeof MailComposer>[0])
    .compile()
    .build();
}

async function routeOf(raw: Buffer) {
  return analyzeParsed(await parseMail(raw), DEFAULT_ROUTER_CONFIG, PROTOCOL);
}

/** Marked automated by what a responder's body says, and so logged, not forwarded. */
function expectSuppressedAsResponder(route: Awaited<ReturnType<typeof routeOf>>): void {
  expect(route.automated.automated).toBe(true);
  expect(route.automated.reasons).toEqual(
    expect.arrayContaining([expect.stringMatching(/^body:auto-reply\(/)]),
  );
  expect(route.decision.disposition).toBe('suppress');
}

const WITH_SHAPE = CASES.map((entry, index) => ({ ...entry, shape: SHAPES[index % SHAPES.length]! }));

describe('detectAutomated: header-less out-of-office replies in every language of the tables', () => {
  it('has a case for every language of the tables', () => {
    // Assess
    expect(CASES.map(({ language }) => language).sort()).toEqual([...AUTOMATED_PHRASE_LANGUAGES].sort());
  });

  it.each(WITH_SHAPE)('flags the $language responder ($shape)', async ({ language, autoReply, shape }) => {
    // Prepare
    const raw = await compose(autoReply, shape, language);

    // Act
    const route = await routeOf(raw);

    // Assess
    expectSuppressedAsResponder(route);
    expect(route.automated.reasons[0]).toMatch(/^subject:/);
  });

  it.each(WITH_SHAPE)(
    "never flags a $language person's letter about someone away ($shape)",
    async ({ language, person, shape }) => {
      // Prepare
      const raw = await compose(person, shape, language);

      // Act
      const route = await routeOf(raw);

      // Assess
      expect(route.automated.automated).toBe(false);
      expect(route.decision.disposition).toBe('forward');
    },
  );

  it.each(WITH_SHAPE)(
    "flags the $language responder's words under a person's own subject only when they call themselves automatic",
    async ({ language, autoReply, shape }) => {
      // Prepare: the same body, but the subject is a letter's, not a responder's label.
      const raw = await compose(
        { ...autoReply, subject: 'Question about the study visit in May' },
        shape,
        language,
      );
      const body = ` ${foldForMatching(autoReply.body).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
      const callsItselfAutomatic = AUTO_REPLY_BODY_PHRASES.self[language].some((phrase) =>
        body.includes(` ${foldForMatching(phrase).replace(/[^\p{L}\p{N}]+/gu, ' ')} `),
      );

      // Act
      const route = await routeOf(raw);

      // Assess
      expect(route.automated.automated).toBe(callsItselfAutomatic);
    },
  );
});

describe('detectAutomated: header-less responders found in the blind batches', () => {
  // "Ledig:" is what a Swedish responder rule often puts before the subject; "Ledig tid" opens a
  // person's question. Away words in a subject count only over a responder's body, and a label line
  // such as "(automatiskt svar)" counts only on a line of its own.
  const responders: Array<{ language: PhraseLanguage; subject: string; body: string }> = [
    {
      language: 'sv',
      subject: 'Ledig: SV: Mottagning för delegationen',
      body: 'Tack för ditt mejl! Jag är föräldraledig på fredagar och är tillbaka måndag 7 december. Ärenden som rör internationella besök kan skickas till internationellt@example.se. Vänliga hälsningar, Lena',
    },
    {
      language: 'fi',
      subject: 'Poissa / Out of office',
      body: 'Olen lomalla 7.12.2026 asti enkä lue sähköpostiani. Kiireellisissä asioissa ota yhteyttä Mikko Laineeseen. I am on leave until 7 December with no access to email.',
    },
    {
      language: 'fr',
      subject: 'Absence du bureau',
      body: "Bonjour, je suis absente du bureau jusqu'au lundi 14 décembre inclus. Pour toute question relative au projet, merci de contacter Paul Girard. Cordialement, Claire",
    },
    {
      language: 'hu',
      subject: 'Házon kívül: Meghívó – Duna Menti Városok Fóruma',
      body: 'Tisztelt Feladó! Köszönöm levelét. December 7-ig szabadságon vagyok, e-mailjeimet nem olvasom. Sürgős ügyben kérem, forduljon kollégámhoz. Üdvözlettel: Kiss Andrea',
    },
    {
      // Under the thread's own subject: the label line under the name is what says "machine".
      language: 'sv',
      subject: 'Sv: Interreg Östersjöprogrammet – gemensam ansökan',
      body: 'Hej!\n\nJag är på tjänsteresa t.o.m. 27 november och läser e-post sporadiskt.\n\nÄrenden som rör EU-projekt kan skickas till eu-kontoret@example.se.\n\nVänliga hälsningar\nJohanna Berg\n(automatiskt svar)',
    },
  ];
  const people: Array<{ language: PhraseLanguage; subject: string; body: string }> = [
    {
      language: 'sv',
      subject: 'Ledig tid för borgmästarens mottagning av delegationen från Riga?',
      body: 'Hej! Borgmästaren i Riga vill gärna besöka Stockholm i maj med en delegation och bli mottagen i Stadshuset. Finns det en ledig tid den 12 eller 13 maj? Vänliga hälsningar, Lettlands ambassad',
    },
    {
      language: 'sv',
      subject: 'Sv: Besök av delegationen från Riga',
      body: 'Hej! Tack för ert automatiska svar. Jag är på tjänsteresa till fredag men ambassaden vill gärna ha ett besked om mottagningen i Stadshuset. Vänliga hälsningar, Anna',
    },
  ];

  it.each(responders)('flags the $language reply under "$subject"', async ({ language, subject, body }) => {
    // Prepare
    const raw = await compose({ subject, body }, 'plain-qp', language);

    // Act
    const route = await routeOf(raw);

    // Assess
    expectSuppressedAsResponder(route);
  });

  it.each(people)(
    'forwards the $language person\'s letter "$subject"',
    async ({ language, subject, body }) => {
      // Prepare
      const raw = await compose({ subject, body }, 'alternative', language);

      // Act
      const route = await routeOf(raw);

      // Assess
      expect(route.automated.automated).toBe(false);
      expect(route.decision.disposition).toBe('forward');
    },
  );
});

describe('the phrase tables', () => {
  const tables = {
    'auto-reply subjects': AUTO_REPLY_SUBJECT_OPENINGS,
    'non-delivery subjects': NON_DELIVERY_SUBJECT_OPENINGS,
    'away subjects': AWAY_SUBJECT_OPENINGS,
    'calendar subjects': CALENDAR_REPLY_SUBJECT_OPENINGS,
    'receipt acknowledgements': RECEIPT_ACKNOWLEDGEMENTS,
    'holiday subjects': HOLIDAY_SUBJECTS,
    'away subject endings': AWAY_SUBJECT_ENDINGS,
    'reschedule requests': RESCHEDULE_REQUESTS,
    ...Object.fromEntries(
      Object.entries(AUTO_REPLY_BODY_PHRASES).map(([kind, table]) => [`${kind} bodies`, table]),
    ),
  };

  it.each(Object.entries(tables))('%s give every language several phrasings', (_name, table) => {
    // Assess
    for (const language of AUTOMATED_PHRASE_LANGUAGES) {
      expect(table[language].length, language).toBeGreaterThanOrEqual(2);
    }
  });

  it.each(Object.entries(tables))('%s hold each phrase once per language', (_name, table) => {
    // Assess
    for (const language of AUTOMATED_PHRASE_LANGUAGES) {
      expect(new Set(table[language]).size, language).toBe(table[language].length);
    }
  });
});

describe("concessions: a note written despite its writer's absence", () => {
  /** An away notice of the language's own phrases, as a plain answer under a reply's subject. */
  const awayAnswer = (language: PhraseLanguage, concession = '') =>
    Buffer.from(
      `From: someone@example.org\r\nTo: ${PROTOCOL}\r\nSubject: Re: Visit\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        `${AUTO_REPLY_BODY_PHRASES.absence[language][0]} ${concession} ${AUTO_REPLY_BODY_PHRASES.return[language][0]}.\r\n`,
    );

  it.each(AUTOMATED_PHRASE_LANGUAGES)(
    'keep a %s away notice that concedes from being suppressed',
    async (language) => {
      // Act
      const plain = await routeOf(awayAnswer(language));
      const conceding = await Promise.all(
        CONCESSIONS[language].map((phrase) => routeOf(awayAnswer(language, phrase))),
      );

      // Assess: the notice alone is a responder's; with any concession a person of the triage group reads it.
      expect(plain.automated.automated).toBe(true);
      for (const [index, route] of conceding.entries()) {
        expect(route.automated.automated, CONCESSIONS[language][index]).toBe(false);
        expect(route.decision.disposition).toBe('forward');
      }
    },
  );

  it("name no word another language writes often, which would hide that language's responders", () => {
    // Prepare
    const ownedBy = (word: string) =>
      AUTOMATED_PHRASE_LANGUAGES.filter((language) =>
        CONCESSIONS[language].some((phrase) => tokens(phrase).join(' ') === word),
      );
    const everyday = new Map(
      AUTOMATED_PHRASE_LANGUAGES.map((language) => [
        language,
        new Set(frequentWords(language).map((w) => w.join(' '))),
      ]),
    );

    // Act
    const clashes = AUTOMATED_PHRASE_LANGUAGES.flatMap((language) =>
      CONCESSIONS[language]
        .map((phrase) => tokens(phrase).join(' '))
        .flatMap((word) =>
          AUTOMATED_PHRASE_LANGUAGES.filter(
            (other) => !ownedBy(word).includes(other) && everyday.get(other)?.has(word),
          ).map((other) => `${language} "${word}" is everyday ${other}`),
        ),
    );

    // Assess
    expect(clashes).toEqual([]);
  });
});

describe('an answer that names itself automatic and asks nothing', () => {
  const answer = (body: string, subject = 'Re: Visit') =>
    Buffer.from(
      `From: someone@example.org\r\nTo: ${PROTOCOL}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        `${body}\r\n`,
    );

  it.each(AUTOMATED_PHRASE_LANGUAGES)('is suppressed in %s, whatever else it says', async (language) => {
    // Act: each of the language's self-descriptions alone, over a notice no table knows.
    const routes = await Promise.all(
      AUTO_REPLY_BODY_PHRASES.self[language].map((phrase) =>
        routeOf(answer(`${phrase}. 22.12-05.01: Sofia, reduced staff.`)),
      ),
    );

    // Assess: the language's phrases that name the message automatic decide.
    expect(routes.some((route) => route.automated.automated)).toBe(true);
  });

  it.each([
    ['Detta är ett autosvar. Kansliet har stängt till den 7 januari.'],
    ['This is an auto-reply. The office works with reduced staff until 5 January.'],
    ['هذا الرد تلقائي. يعمل المكتب بعدد محدود من الموظفين حتى 5 يناير.'],
  ])('is suppressed when "automatic" is spelt "%s"', async (body) => {
    // Act
    const route = await routeOf(answer(body));

    // Assess
    expect(route.automated.automated).toBe(true);
  });

  it('is suppressed when it opens by naming itself automatic, whatever it asks after', async () => {
    // Act: an acknowledgement with an FAQ's question.
    const route = await routeOf(
      answer(
        'Dit is een automatisch gegenereerd bericht.\r\n\r\nBedankt voor uw e-mail aan Team Europa. ' +
          'Heeft u een vraag over subsidies? Kijk dan op www.example.nl.',
      ),
    );

    // Assess
    expect(route.automated.automated).toBe(true);
  });

  it('is forwarded when a person asks, it comes under its own subject, or never says automatic', async () => {
    // Act
    const asking = await routeOf(
      answer('Hello, I only got "This is an automatic reply" from your colleague. Who else can I ask?'),
    );
    const ownSubject = await routeOf(answer('This is an automatic reply. Reduced staff.', 'Christmas hours'));
    const person = await routeOf(
      answer('Thank you. Your message will not be forwarded to the Mayor before we have the programme.'),
    );

    // Assess
    for (const route of [asking, ownSubject, person]) expect(route.automated.automated).toBe(false);
  });
});

describe("receipt acknowledgements: a service desk's word that it took the message in", () => {
  /** A ticket system's notice under a subject of its own, with or without its Auto-Submitted header. */
  const acknowledgement = (phrase: string, header: string) =>
    Buffer.from(
      `From: helpdesk@example.org\r\nTo: ${PROTOCOL}\r\nSubject: [#48213] Official visit\r\n${header}` +
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        `${phrase} #48213.\r\n`,
    );

  it.each(AUTOMATED_PHRASE_LANGUAGES)(
    'suppress a %s acknowledgement under its machine mark, and forward the words alone',
    async (language) => {
      // Act
      const marked = await Promise.all(
        RECEIPT_ACKNOWLEDGEMENTS[language].map((phrase) =>
          routeOf(acknowledgement(phrase, 'Auto-Submitted: auto-generated\r\n')),
        ),
      );
      const unmarked = await Promise.all(
        RECEIPT_ACKNOWLEDGEMENTS[language].map((phrase) => routeOf(acknowledgement(phrase, ''))),
      );

      // Assess: a person may write the same words when answering; without the mark they reach staff.
      for (const [index, route] of marked.entries()) {
        expect(route.automated.reasons, RECEIPT_ACKNOWLEDGEMENTS[language][index]).toContain(
          'body:receipt-acknowledgement',
        );
        expect(route.decision.disposition).toBe('suppress');
      }
      for (const route of unmarked) expect(route.decision.disposition).toBe('forward');
    },
  );
});

describe("holiday subjects: a holiday's word as a responder's whole subject", () => {
  /** An away notice of the language's own phrases under `subject`, a subject of its own. */
  const notice = (language: PhraseLanguage, subject: string) =>
    Buffer.from(
      `From: someone@example.org\r\nTo: ${PROTOCOL}\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=\r\n` +
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
        `${AUTO_REPLY_BODY_PHRASES.absence[language][0]} ${AUTO_REPLY_BODY_PHRASES.return[language][0]}.\r\n`,
    );

  it.each(AUTOMATED_PHRASE_LANGUAGES)(
    'suppress a %s away notice under a holiday word alone, or joined to English, and not one opening a subject',
    async (language) => {
      // Act
      const alone = await Promise.all(
        HOLIDAY_SUBJECTS[language].map((word) => routeOf(notice(language, word))),
      );
      const joined = await routeOf(notice(language, `${HOLIDAY_SUBJECTS[language][0]} / Annual leave`));
      const opening = await routeOf(
        notice(language, `${HOLIDAY_SUBJECTS[language][0]} – budget of the visit programme`),
      );

      // Assess
      for (const [index, route] of [...alone, joined].entries()) {
        expect(route.automated.automated, HOLIDAY_SUBJECTS[language][index] ?? 'joined').toBe(true);
      }
      expect(opening.automated.reasons.join(' ')).not.toContain('away words only');
    },
  );
});

describe('a calendar decline that asks to move the meeting', () => {
  const decline = (note: string) =>
    calendarAnswer({
      from: 'attendee@example.org',
      to: PROTOCOL,
      subject: 'Declined: Coordination meeting',
      status: 'DECLINED',
      note,
      summary: 'Coordination meeting',
    });

  it.each(AUTOMATED_PHRASE_LANGUAGES)("is the calendar's answer in %s", async (language) => {
    // Act: each of the language's requests as the note's one question.
    const routes = await Promise.all(
      RESCHEDULE_REQUESTS[language].map((phrase) => routeOf(decline(`Brussels. ${phrase}?`))),
    );

    // Assess
    for (const [index, route] of routes.entries()) {
      expect(route.automated.automated, RESCHEDULE_REQUESTS[language][index]).toBe(true);
      expect(route.decision.disposition).toBe('suppress');
    }
  });

  it('goes to a person when it also asks something else', async () => {
    // Act
    const route = await routeOf(
      decline('I am in Brussels that day. Could we move it to Thursday? Could you send me the minutes?'),
    );

    // Assess
    expect(route.automated).toMatchObject({
      automated: false,
      doubts: ["calendar:method=reply with the attendee's words"],
    });
    expect(route.decision.disposition).toBe('forward');
  });
});
